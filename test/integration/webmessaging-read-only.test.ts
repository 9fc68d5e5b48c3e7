import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { withMessengerFlow } from '../support/fixtures.ts';
import { Guest } from '../support/webmessaging.ts';

/**
 * After a ReadOnly disconnect (guest-protocols.md §2.7: Presence Disconnect with `metadata.readOnly`),
 * the guest session is read-only until it is cleared or started anew: Text, Typing and Presence Join are
 * all refused with 409 and none of them starts a new conversation. Presence Clear is still allowed (it is
 * how the guest wipes the ended conversation) and makes the session writable again.
 *
 * The conversation is ended by the deployment's flow (a Disconnect action), so no agent is needed.
 */

const HANG_UP_FLOW = stringify({
  inboundShortMessage: {
    name: 'Hang Up Flow',
    startUpRef: './states/state[Start_1]',
    defaultLanguage: 'en-us',
    settingsErrorHandling: { errorHandling: { disconnect: { none: true } } },
    states: [
      {
        state: {
          name: 'Start',
          refId: 'Start_1',
          actions: [
            { sendResponse: { name: 'Bye', messageBody: { lit: 'We are closed.' } } },
            { disconnect: { name: 'Hang up' } },
          ],
        },
      },
    ],
  },
});

const DEPLOYMENT = 'read-only-deployment';

async function readOnlyGuest() {
  const emulator = await startEmulator({
    fixture: withMessengerFlow(HANG_UP_FLOW, {
      flowName: 'Hang Up Flow',
      deploymentId: DEPLOYMENT,
      deployment: { conversationDisconnect: { enabled: true, type: 'ReadOnly' } },
    }),
  });
  const guest = await Guest.connect(emulator, randomUUID(), { deploymentId: DEPLOYMENT });
  await guest.configure();
  expect((await guest.say('hello')).code).toBe(200);
  const disconnect = await guest.outboundEvent('Presence');
  expect(disconnect.body).toMatchObject({
    metadata: { readOnly: 'true' },
    events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
  });
  expect(created(emulator)).toHaveLength(1);
  return { emulator, guest };
}

function created(emulator: TestEmulator): string[] {
  return emulator.events.ofType('conversation.created').map((e) => e.conversationId!);
}

const event = (eventType: 'Typing' | 'Presence', type: string) => ({
  action: 'onMessage',
  message: {
    type: 'Event',
    events: [eventType === 'Typing' ? { eventType, typing: { type } } : { eventType, presence: { type } }],
  },
});

describe('Web Messaging after a ReadOnly disconnect', () => {
  it.each([
    ['Text', { action: 'onMessage', message: { type: 'Text', text: 'are you there?' } }],
    ['Typing', event('Typing', 'On')],
    ['Presence Join', event('Presence', 'Join')],
    [
      'Presence Join with attributes',
      {
        action: 'onMessage',
        message: {
          type: 'Event',
          events: [{ eventType: 'Presence', presence: { type: 'Join' } }],
          channel: { metadata: { customAttributes: { QueueName: 'General' } } },
        },
      },
    ],
  ])('%s is refused with 409 and starts no conversation', async (_what, frame) => {
    const { emulator, guest } = await readOnlyGuest();
    const framesBefore = guest.frames.length;
    await emulator.clock.advance(1000); // clear of the 2-per-second message limit
    const reply = await guest.request(frame);
    expect(reply).toMatchObject({ type: 'response', class: 'string', code: 409 });
    expect(created(emulator)).toHaveLength(1);
    // Still read-only, as a reconnecting guest learns from configureSession.
    const configured = await guest.configure();
    expect(configured.body).toMatchObject({ connected: true, readOnly: true });
    // Nothing but the refusal reached the guest before that answer: no echo, no greeting of a new flow run.
    expect(guest.frames.slice(framesBefore)).toEqual([reply, configured]);
    await guest.close();
  });

  it('refuses every one of them in a row, then Presence Clear is allowed and makes the session writable', async () => {
    const { emulator, guest } = await readOnlyGuest();
    for (const frame of [event('Typing', 'On'), event('Presence', 'Join')]) {
      await emulator.clock.advance(1000);
      expect(await guest.request(frame)).toMatchObject({ class: 'string', code: 409 });
    }
    expect(created(emulator)).toHaveLength(1);

    await emulator.clock.advance(1000);
    guest.send({ token: guest.token, ...event('Presence', 'Clear') });
    const cleared = await guest.next(
      (f) => f.class === 'SessionClearedEvent' || (f.type === 'response' && f.class === 'string'),
      'SessionClearedEvent or a refusal',
    );
    expect(cleared).toMatchObject({ type: 'message', class: 'SessionClearedEvent', code: 200 });
    expect((await guest.configure()).body).toMatchObject({ connected: true, readOnly: false });

    // Writable again: a Join now starts a new conversation (and the flow runs for it).
    await emulator.clock.advance(1000);
    const join = await guest.request(event('Presence', 'Join'));
    expect(join).toMatchObject({ class: 'StructuredMessage', code: 200 });
    expect(created(emulator)).toHaveLength(2);
    await guest.close();
  });
});
