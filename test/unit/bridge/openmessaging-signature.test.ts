import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hubSignature, verifyHubSignature } from '../../../bridge/channels/openmessaging-signature.ts';

/** The bridge's check of Genesys's X-Hub-Signature-256 on an Open Messaging delivery. */
const SECRET = 'open-messaging-secret-0123';
const BODY = '{"id":"abc","type":"Text","text":"héllo"}';
const base64 = (secret: string, body: string | Buffer) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

describe('verifyHubSignature', () => {
  it('takes sha256= and the base64 HMAC-SHA256 of the raw bytes, as a string or the same bytes', () => {
    expect(verifyHubSignature(SECRET, BODY, base64(SECRET, BODY))).toBe(true);
    expect(verifyHubSignature(SECRET, Buffer.from(BODY, 'utf8'), base64(SECRET, BODY))).toBe(true);
    expect(hubSignature(SECRET, BODY)).toBe(base64(SECRET, BODY));
  });

  it('refuses a missing header, another key, one byte changed, hex, and a missing or wrong prefix', () => {
    const hex = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;
    const cases: [string | Buffer, string | undefined][] = [
      [BODY, undefined],
      [BODY, ''],
      [BODY, base64('another-secret-0123', BODY)],
      [`${BODY} `, base64(SECRET, BODY)],
      [BODY.replace('héllo', 'hello'), base64(SECRET, BODY)],
      [BODY, hex],
      [BODY, base64(SECRET, BODY).slice('sha256='.length)],
      [BODY, base64(SECRET, BODY).replace('sha256=', 'sha1=')],
      [BODY, `${base64(SECRET, BODY)}x`],
      [BODY, base64(SECRET, BODY).slice(0, -2)],
    ];
    for (const [body, header] of cases)
      expect(verifyHubSignature(SECRET, body, header), String(header)).toBe(false);
  });
});
