import { createServer } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { OpenMessagingHub } from '../../../bridge/channels/openmessaging-hub.ts';
import { hubSignature, verifyHubSignature } from '../../../bridge/channels/openmessaging-signature.ts';
import { MAX_WEBHOOK_BYTES, OpenMessagingWebhook } from '../../../bridge/channels/openmessaging-webhook.ts';
import { ManualClock } from '../../../bridge/clock.ts';
import { resolveBridgeConfig } from '../../../bridge/config.ts';
import { listenForTest } from '../../support/test-server.ts';

/**
 * The Open Messaging receiving end, as Genesys and the bot see it: the webhook listener a user mounts in
 * their own HTTP server (what it answers to each POST, over real loopback HTTP) and the signature check.
 * (Reading participants off snapshots, edges included, is in openmessaging-presence.test.ts.)
 */

const INTEGRATION = '0f8e2d7a-1b2c-4d3e-9f00-123456789abc';
const SECRET = 'the-integration-secret-0123';

function receiver() {
  const config = resolveBridgeConfig({
    loginUrl: 'http://127.0.0.1:9',
    channel: 'openMessaging',
    platformApi: { clientId: 'client', clientSecret: 'secret' },
    openMessaging: { integrationId: INTEGRATION, webhookSecret: SECRET },
  });
  const hub = new OpenMessagingHub(config, new ManualClock(), {
    fetch: async () => {
      throw new Error('no HTTP to Genesys in this test');
    },
  });
  const received: string[] = [];
  hub.attachCustomer('customer-1', {
    webhook: (b) => received.push(b.id),
    conversation: () => {},
    error: () => {},
  });
  hub.attachCustomer('customer-broken', {
    webhook: () => {
      throw new Error('the session broke');
    },
    conversation: () => {},
    error: () => {},
  });
  const errors: unknown[] = [];
  const webhook = new OpenMessagingWebhook(
    () => [hub],
    (e) => errors.push(e),
  );
  return { hub, webhook, received, errors };
}

async function listening(webhook: OpenMessagingWebhook) {
  const server = createServer(webhook.listener);
  const port = await listenForTest(server);
  const url = `http://127.0.0.1:${port}/v1/openmessaging/webhook`;
  const post = async (body: string | Buffer, signature?: string, method = 'POST') => {
    const response = await fetch(url, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      ...(method === 'GET' ? {} : { body }),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as unknown,
    };
  };
  return { port, url, post };
}

const delivery = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id,
    channel: { id: INTEGRATION, to: { id: 'customer-1' }, time: '2026-01-01T09:00:00.000Z' },
    type: 'Text',
    direction: 'Outbound',
    text: `message ${id}`,
    ...extra,
  });

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the Open Messaging webhook listener over HTTP', () => {
  it('a signed POST is answered 200 JSON accepted and reaches the session', async () => {
    const { webhook, received, errors } = receiver();
    const { post } = await listening(webhook);
    const raw = delivery('m-1');
    expect(await post(raw, hubSignature(SECRET, raw))).toEqual({
      status: 200,
      type: 'application/json',
      body: { status: 'accepted' },
    });
    await flush();
    expect(received).toEqual(['m-1']);
    // A delivery for a customer no session holds is accepted and dropped without a listener error.
    const stranger = delivery('m-2', { channel: { id: INTEGRATION, to: { id: 'nobody' } } });
    expect((await post(stranger, hubSignature(SECRET, stranger))).status).toBe(200);
    await flush();
    expect(received).toEqual(['m-1']);
    expect(errors).toEqual([]);
  });

  it('refuses what is not a signed JSON POST: 405, 401, 400, each with a JSON error', async () => {
    const { webhook, received } = receiver();
    const { post } = await listening(webhook);
    const raw = delivery('m-1');
    expect(await post(raw, hubSignature(SECRET, raw), 'GET')).toEqual({
      status: 405,
      type: 'application/json',
      body: { error: 'POST only' },
    });
    expect(await post(raw, hubSignature(SECRET, raw), 'PUT')).toMatchObject({ status: 405 });
    expect(await post(raw)).toEqual({
      status: 401,
      type: 'application/json',
      body: { error: 'missing or invalid X-Hub-Signature-256' },
    });
    expect(await post('{not json', hubSignature(SECRET, '{not json'))).toEqual({
      status: 400,
      type: 'application/json',
      body: { error: 'the body is not JSON' },
    });
    await flush();
    expect(received).toEqual([]);
  });

  it('a body over 1 MiB is answered 413 without being read further; exactly 1 MiB is still taken', async () => {
    const { webhook, received } = receiver();
    const { post } = await listening(webhook);
    const head = delivery('big');
    const exact = `${head.slice(0, -1)},"padding":"${'x'.repeat(MAX_WEBHOOK_BYTES - head.length - 13)}"}`;
    expect(Buffer.byteLength(exact)).toBe(MAX_WEBHOOK_BYTES);
    expect((await post(exact, hubSignature(SECRET, exact))).status).toBe(200);
    const over = `${exact.slice(0, -2)}x"}`;
    expect(Buffer.byteLength(over)).toBe(MAX_WEBHOOK_BYTES + 1);
    expect(await post(over, hubSignature(SECRET, over))).toEqual({
      status: 413,
      type: 'application/json',
      body: { error: 'the body is too large' },
    });
    await flush();
    expect(received).toEqual(['big']);
  });

  it('a client that goes away mid-body does not break the listener', async () => {
    const { webhook, received } = receiver();
    const { port, post } = await listening(webhook);
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.on('connect', resolve));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      'POST /v1/openmessaging/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id":',
    );
    await flush();
    socket.destroy();
    await closed;
    await flush();
    const raw = delivery('after');
    expect((await post(raw, hubSignature(SECRET, raw))).status).toBe(200);
    await flush();
    expect(received).toEqual(['after']);
  });

  it('a session that throws while taking a delivery: still 200, and the error goes to the listener-error handler', async () => {
    const { webhook, errors } = receiver();
    const { post } = await listening(webhook);
    const raw = delivery('m-1', { channel: { id: INTEGRATION, to: { id: 'customer-broken' } } });
    expect((await post(raw, hubSignature(SECRET, raw))).status).toBe(200);
    await flush();
    expect(errors).toEqual([new Error('the session broke')]);
  });

  it('accept() takes raw bytes or text and the first of repeated signature headers', async () => {
    const { webhook, received } = receiver();
    const raw = delivery('m-1');
    const bytes = new TextEncoder().encode(raw);
    expect(webhook.accept(bytes, hubSignature(SECRET, raw))).toEqual({
      status: 200,
      body: { status: 'accepted' },
    });
    const raw2 = delivery('m-2');
    expect(webhook.accept(raw2, [hubSignature(SECRET, raw2), 'sha256=forged'])).toMatchObject({
      status: 200,
    });
    expect(webhook.accept(raw2, ['sha256=forged', hubSignature(SECRET, raw2)])).toMatchObject({
      status: 401,
    });
    await flush();
    expect(received).toEqual(['m-1', 'm-2']);
  });
});

describe('the X-Hub-Signature-256 check, edges', () => {
  const raw = delivery('m-1');
  const digest = hubSignature(SECRET, raw).slice('sha256='.length);

  it('needs the sha256= prefix itself, not any seven characters before the digest', () => {
    expect(verifyHubSignature(SECRET, raw, `sha256=${digest}`)).toBe(true);
    expect(verifyHubSignature(SECRET, raw, `sha512=${digest}`)).toBe(false);
    expect(verifyHubSignature(SECRET, raw, `SHA256=${digest}`)).toBe(false);
  });

  it('tolerates spaces around the digest', () => {
    expect(verifyHubSignature(SECRET, raw, `sha256= ${digest} `)).toBe(true);
  });
});
