import { describe, expect, it } from 'vitest';
import { startEmulator } from '../support/emulators.ts';
import { check, summarise } from './check.ts';
import { writeFigures } from './figures.ts';
import { openMessagingConversation } from './openmessaging-story.ts';
import { Recorder } from './recorder.ts';
import { recordingAgents, userTopics } from './sdk-agents.ts';
import { webChatConversation, webMessagingConversation } from './stories.ts';

/**
 * Issue 13: every platform-API response and notification the emulator gives in a whole conversation on
 * each guest channel is checked against the model the official SDK's d.ts names for its route or topic.
 * Deviations are allowed only as listed, with reasons, in allowlist.ts.
 */

const STORY_TIMEOUT = 60_000;

describe('conformance with Genesys models', () => {
  it(
    'a Web Messaging, a WebChat and an Open Messaging conversation give only model-shaped answers and notifications',
    async () => {
      const recorder = new Recorder();
      await webMessagingConversation(recorder);
      await webChatConversation(recorder);
      await openMessagingConversation(recorder);
      const result = check(recorder);
      writeFigures(result, recorder);
      expect(result.counts.responses).toBeGreaterThan(50);
      expect(result.counts.frames).toBeGreaterThan(50);
      expect(summarise(result.unexpected), 'mismatches that no allowlist entry explains').toEqual([]);
      expect(
        result.unused.map((a) => `${a.where} ${a.path} [${a.problem}]`),
        'allowlist entries that explain nothing any more (remove them)',
      ).toEqual([]);
    },
    STORY_TIMEOUT,
  );
});

describe('the harness bites', () => {
  /** An agent's first minutes: reads itself, subscribes, goes on queue. */
  async function shortSession(recorder: Recorder) {
    const emulator = await startEmulator();
    const agents = await recordingAgents(emulator, recorder);
    try {
      const alda = await agents.agent('Alda Moore');
      await alda.listen(userTopics(alda.user.id));
      await alda.as(() => alda.api.users.getUsersMe({ expand: ['routingStatus'] }));
      await alda.as(() => alda.api.users.putUserRoutingstatus(alda.user.id, { status: 'IDLE' }));
      await alda.next((f) => f.topicName.endsWith('.routingStatus'), 'the routing status');
      await alda.ping();
      return alda.user.id;
    } finally {
      await agents.closeAll();
      await emulator.close();
    }
  }

  it('passes untouched, and fails naming route, path and model when one response field is renamed', async () => {
    const clean = new Recorder();
    await shortSession(clean);
    expect(summarise(check(clean, []).unexpected.filter((m) => m.where === 'GET /api/v2/users/me'))).toEqual(
      [],
    );

    const bitten = new Recorder();
    bitten.tamper = { where: 'GET /api/v2/users/me', from: 'name', to: 'fullName' };
    await shortSession(bitten);
    expect(bitten.tamper.done).toBe(true);
    const unexpected = summarise(
      check(bitten, []).unexpected.filter((m) => m.where === 'GET /api/v2/users/me'),
    );
    expect(unexpected).toEqual([
      'GET /api/v2/users/me -> UserMe: fullName [unknown] field "fullName" is not in the model (model UserMe)',
    ]);
  });

  it('fails naming topic, path and model when one notification field is renamed', async () => {
    const bitten = new Recorder();
    bitten.tamper = { where: 'v2.users.', from: 'routingStatus', to: 'routingState' };
    await shortSession(bitten);
    expect(bitten.tamper.done).toBe(true);
    const unexpected = summarise(
      check(bitten, []).unexpected.filter((m) => m.where === 'v2.users.{id}.routingStatus'),
    );
    expect(unexpected).toEqual([
      'v2.users.{id}.routingStatus -> UserRoutingStatusUserRoutingStatus: routingState [unknown] field "routingState" is not in the model (model UserRoutingStatusUserRoutingStatus)',
    ]);
  });
});
