import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hubSignature,
  SIGNATURE_HEADER,
} from '../../../emulator/surfaces/openmessaging/webhook-signature.ts';

/** X-Hub-Signature-256 as Genesys sends it: `sha256=` and the base64 HMAC-SHA256 of the exact bytes. */
describe('the Open Messaging webhook signature', () => {
  it('is sha256= and the base64 HMAC-SHA256 of the raw bytes, keyed with the secret', () => {
    // The second value was computed independently: printf abc | openssl dgst -sha256 -hmac k -binary | base64
    expect(hubSignature('secret-0123456789', '{"id":"1"}')).toBe(
      `sha256=${createHmac('sha256', 'secret-0123456789').update('{"id":"1"}').digest('base64')}`,
    );
    expect(hubSignature('k', Buffer.from('abc'))).toBe('sha256=NC5RnOCtbAOja5jus/HRMNtIE7nfTRFg7aSI1xLceO4=');
    expect(SIGNATURE_HEADER).toBe('X-Hub-Signature-256');
  });

  it('changes with every byte and with the key, and reads the same for a string and its UTF-8 bytes', () => {
    const body = '{"text":"héllo"}';
    const signed = hubSignature('secret-0123456789', body);
    expect(hubSignature('secret-0123456789', Buffer.from(body, 'utf8'))).toBe(signed);
    expect(hubSignature('secret-0123456780', body)).not.toBe(signed);
    expect(hubSignature('secret-0123456789', `${body} `)).not.toBe(signed);
    expect(signed).toMatch(/^sha256=[A-Za-z0-9+/]{43}=$/);
  });
});
