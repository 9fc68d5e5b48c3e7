import http from 'node:http';
import https from 'node:https';

/** A finished HTTP exchange: the status and the whole body as text. */
export interface TextReply {
  status: number;
  text: string;
}

// Kept-alive connections, as fetch keeps them; an idle socket does not hold the process open.
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/**
 * One request with a text body (or none), answered with the status and the body as text. The scripted
 * agents' platform calls go through here rather than the global fetch: node:http does the same exchange
 * at about a third of fetch's CPU (its streams, Request/Response objects and abort signals), and a
 * scenario run makes dozens of these calls.
 */
export function requestText(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<TextReply> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
