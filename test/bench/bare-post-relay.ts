/**
 * The control for the Open Messaging benchmark: a bare `node:http` relay on 127.0.0.1 in its own
 * process, where the emulator sits. Run by openmessaging.ts as
 * `node --import tsx test/bench/bare-post-relay.ts WEBHOOK_URL`.
 *
 * - `POST /to-agent`: the body goes to the WebSocket client connected at `/` (the "agent desktop"),
 *   answered 202: a customer message -> agent notification hop.
 * - `POST /to-webhook`: answered 202 at once, then the body is POSTed to WEBHOOK_URL over keep-alive
 *   HTTP: an agent message -> webhook delivery hop, as the emulator answers the agent and then delivers.
 */
import http from 'node:http';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';

const target = process.argv[2];
if (!target) throw new Error('usage: bare-post-relay.ts WEBHOOK_URL');
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 128 });
let agent: WebSocket | undefined;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(202);
    res.end();
    if (req.url === '/to-agent') {
      agent?.send(body, { binary: false });
      return;
    }
    const out = http.request(target, {
      method: 'POST',
      agent: keepAlive,
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    });
    out.on('response', (r) => r.resume());
    out.on('error', () => {});
    out.end(body);
  });
});
const sockets = new WebSocketServer({ server });
sockets.on('connection', (socket) => {
  agent = socket;
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`bare-post-relay ready ${port}\n`);
});

process.once('SIGTERM', () => {
  for (const client of sockets.clients) client.terminate();
  keepAlive.destroy();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
