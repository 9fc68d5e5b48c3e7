import { expect } from 'vitest';
import type { StartEmulatorOptions } from '../../emulator/index.ts';
import { bearerFor, clients } from './api.ts';
import { startEmulator, type TestEmulator } from './emulators.ts';
import type { Wire } from './webmessaging.ts';

export const MSG = '/api/v2/conversations/messages';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Api = (method: Method, url: string, payload?: unknown) => ReturnType<TestEmulator['inject']>;

/**
 * An emulator of the default org (or `options`) with the views the conversation-core tests read: the
 * platform API as an agent or the org client, a conversation and an agent's newest leg in it, the media
 * view of one participant.
 */
export async function conversationWorld(options: StartEmulatorOptions = {}) {
  const emulator = await startEmulator(options);
  const fx = emulator.fixture;
  const userId = (name: string) => fx.users.find((u) => u.name === name)!.id;
  /** The platform API as one agent (by name), or as the org-level client (no user behind it). */
  const as = async (name?: string): Promise<Api> => {
    const client =
      name === undefined
        ? clients(emulator).org
        : fx.clients.find((c) => c.user !== undefined && c.user === userId(name))!;
    const authorization = await bearerFor(emulator, client);
    return (method, url, payload) =>
      emulator.inject({
        method,
        url,
        headers: { authorization },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
  };
  const org = await as();
  const conversation = (cid: string) => emulator.conversations.get(cid)!;
  /** The newest leg of this agent in the conversation. */
  const legOf = (cid: string, name: string) =>
    conversation(cid)
      .participants.filter((p) => p.userId === userId(name))
      .at(-1)!;
  /** The media view (MessageMediaParticipant: state as the API shows it, terminated included). */
  const wire = async (cid: string, pid: string): Promise<Wire> => {
    const view = await org('GET', `${MSG}/${cid}`);
    expect(view.statusCode, view.body).toBe(200);
    return view.json().participants.find((p: Wire) => p.id === pid);
  };
  /**
   * Pat, an Open Messaging customer of `integration`, writes "hello" asking for Shoes Support (the
   * org client posts to the inbound API); returns the new conversation's id.
   */
  const openMessagingCustomer = async (integration: string): Promise<string> => {
    const first = await org(
      'POST',
      `${MSG}/${integration}/inbound/open/message?prefetchConversationId=true`,
      {
        channel: {
          from: { id: 'pat-1', idType: 'Opaque', nickname: 'Pat' },
          time: '2026-01-01T09:00:00.000Z',
          metadata: { customAttributes: { QueueName: 'Shoes Support' } },
        },
        text: 'hello',
      },
    );
    expect(first.statusCode, first.body).toBe(200);
    return first.json().conversationId as string;
  };
  return { emulator, fx, userId, as, org, conversation, legOf, wire, openMessagingCustomer };
}
