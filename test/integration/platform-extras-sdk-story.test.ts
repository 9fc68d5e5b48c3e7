import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { startEmulator } from '../support/emulators.ts';
import { closeSocket, FrameCollector, openSocket } from '../support/frames.ts';
import { platformSdk } from '../support/platform-sdk.ts';
import { Guest } from '../support/webmessaging.ts';

const sockets: WebSocket[] = [];
const guests: Guest[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map(closeSocket));
  await Promise.all(guests.splice(0).map((g) => g.close()));
});

interface PresenceFrame {
  topicName: string;
  eventBody: { presenceDefinition?: { id: string; systemPresence: string }; source?: string };
}

/**
 * The calls integrations and test tools make beyond conversations, all through the official platform SDK
 * (PresenceApi, RoutingApi, AnalyticsApi, ConversationsApi, ArchitectApi) in one story: a Web Messaging
 * guest sends QueueName metadata and waits; a tool finds the conversation from the guest's message id,
 * sees it waiting in the queue's observations with an estimated wait; the agent goes On Queue by
 * presence, handles it and wraps up with one of the queue's codes; the details query then finds it with
 * its queue segment and wrap-up code, and the details job's results show the Participant Data.
 */
describe('issue 13 part 3: presence, wrap-up codes, message details, analytics, EWT, flows through the SDK', () => {
  it('a Web Messaging conversation from QueueName to wrap-up, seen by every new endpoint', async () => {
    const emulator = await startEmulator();
    const { platformClient, client } = platformSdk(emulator);
    const fx = emulator.fixture;
    const mia = fx.users.find((u) => u.name === 'Mia Welch')!; // Sports Support, Shoes Support, General
    const login = fx.clients.find((c) => c.user === mia.id)!;
    await client.loginClientCredentialsGrant(login.id, login.secret);
    const sports = fx.queues.find((q) => q.name === 'Sports Support')!;
    const presenceApi = new platformClient.PresenceApi();
    const routingApi = new platformClient.RoutingApi();
    const analyticsApi = new platformClient.AnalyticsApi();
    const conversationsApi = new platformClient.ConversationsApi();
    const notificationsApi = new platformClient.NotificationsApi();
    const storyStart = emulator.clock.now();

    // The presence catalogue: the On Queue definition is a system one with Genesys's global id.
    const definitions = await presenceApi.getPresencedefinitions({ pageSize: 25 });
    const onQueue = definitions.entities!.find((d) => d.systemPresence === 'On Queue')!;
    expect(onQueue).toMatchObject({ id: 'e08eaf1b-ee47-4fa9-a231-1200e284798f', primary: true });
    expect(definitions).toMatchObject({ total: 10, pageCount: 1, selfUri: expect.any(String) });
    expect((await presenceApi.getSystempresences()).map((s) => s.name)).toContain('On Queue');
    expect((await presenceApi.getUserPresencesPurecloud(mia.id)).presenceDefinition).toMatchObject({
      systemPresence: 'Available',
    });

    // The agent listens to her presence topic.
    const channel = await notificationsApi.postNotificationsChannels();
    await notificationsApi.putNotificationsChannelSubscriptions(channel.id!, [
      { id: `v2.users.${mia.id}.presence` },
    ]);
    const socket = await openSocket(channel.connectUri!);
    sockets.push(socket);
    const frames = new FrameCollector<PresenceFrame>(socket);

    // The guest's first message carries QueueName; nobody is on queue yet, so it waits in Sports Support.
    const guest = await Guest.connect(emulator, randomUUID());
    guests.push(guest);
    await guest.configure();
    const echo = await guest.say('I need help with my bike', {
      QueueName: 'Sports Support',
      orderId: 'A-77',
    });
    const inbound = await conversationsApi.getConversationsMessageDetails(echo.body.id);
    const cid = inbound.conversationId!;
    expect(inbound).toMatchObject({ id: echo.body.id, direction: 'inbound', status: 'received' });

    const waiting = await analyticsApi.postAnalyticsQueuesObservationsQuery({
      filter: { type: 'or', predicates: [{ dimension: 'queueId', value: sports.id }] },
      metrics: ['oWaiting', 'oOnQueueUsers', 'oUserPresences'],
      detailMetrics: ['oWaiting'],
    });
    const messageGroup = waiting.results!.find((r) => r.group!.mediaType === 'message')!;
    expect(messageGroup.data).toEqual([
      expect.objectContaining({
        metric: 'oWaiting',
        stats: { count: 1 },
        observations: [expect.objectContaining({ conversationId: cid })],
      }),
    ]);
    const users = waiting.results!.find((r) => r.group!.mediaType === undefined)!;
    expect(users.data).toContainEqual({ metric: 'oOnQueueUsers', stats: { count: 0 } });
    const ewt = await routingApi.getRoutingQueueEstimatedwaittime(sports.id, { conversationId: cid });
    expect(ewt.results).toEqual([{ intent: 'MESSAGE', formula: 'SIMPLE', estimatedWaitTimeSeconds: 300 }]);

    // On Queue by presence: routing status IDLE, the presence topic says ON_QUEUE, and the alert comes.
    await emulator.clock.advance(5_000);
    const set = await presenceApi.patchUserPresencesPurecloud(mia.id, {
      presenceDefinition: { id: onQueue.id },
    });
    expect(set.presenceDefinition).toMatchObject({ id: onQueue.id, systemPresence: 'On Queue' });
    const presenceFrame = await frames.next((f) => f.topicName === `v2.users.${mia.id}.presence`);
    expect(presenceFrame.eventBody).toMatchObject({
      source: 'PURECLOUD',
      presenceDefinition: { id: onQueue.id, systemPresence: 'ON_QUEUE' },
    });
    const usersApi = new platformClient.UsersApi();
    const conversation = await conversationsApi.getConversation(cid);
    const leg = conversation.participants!.find((p) => p.userId === mia.id)!;
    expect(leg.messages![0]!.state).toBe('alerting');
    expect((await usersApi.getUserRoutingstatus(mia.id)).status).toBe('IDLE');

    await emulator.clock.advance(3_000);
    await conversationsApi.patchConversationsMessageParticipant(cid, leg.id!, {
      body: { state: 'connected' },
    });
    await emulator.clock.advance(10_000);
    const reply = await conversationsApi.postConversationsMessageCommunicationMessages(
      cid,
      leg.messages![0]!.id!,
      {
        textBody: 'Hi, this is Mia.',
      },
    );
    const outbound = await guest.outboundText('Hi, this is Mia.');
    // The guest sees the outbound id in Genesys's 32-hex form; either form finds the conversation.
    const fromGuest = await conversationsApi.getConversationsMessageDetails(outbound.body.id);
    expect(fromGuest).toMatchObject({ id: reply.id, conversationId: cid, direction: 'outbound' });
    await emulator.clock.advance(20_000);
    await conversationsApi.patchConversationsMessageParticipant(cid, leg.id!, {
      body: { state: 'disconnected' },
    });

    // Wrap-up: the participant's codes are the queue's (a bare array), and the code sent is an id.
    const offered = await conversationsApi.getConversationsMessageParticipantWrapupcodes(cid, leg.id!);
    const queueCodes = await routingApi.getRoutingQueueWrapupcodes(sports.id, { pageSize: 100 });
    expect(offered.map((c) => c.id)).toEqual(queueCodes.entities!.map((c) => c.id));
    const orderIssue = offered.find((c) => c.name === 'Sports order issue')!;
    expect(await routingApi.getRoutingWrapupcode(orderIssue.id!)).toMatchObject({
      name: 'Sports order issue',
    });
    const byName = await routingApi.getRoutingWrapupcodes({ name: 'Sports*' });
    expect(byName.entities!.map((c) => c.id)).toEqual([orderIssue.id]);
    await emulator.clock.advance(4_000);
    await conversationsApi.patchConversationsMessageParticipant(cid, leg.id!, {
      body: { wrapup: { code: orderIssue.id!, notes: 'new brake pads' } },
    });

    // The details query finds it by its queue segment; the agent's segments end with the wrap-up.
    const interval = `${new Date(storyStart - 3_600_000).toISOString()}/${new Date(storyStart + 3_600_000).toISOString()}`;
    const found = await analyticsApi.postAnalyticsConversationsDetailsQuery({
      interval,
      segmentFilters: [
        {
          type: 'and',
          predicates: [
            { dimension: 'queueId', value: sports.id },
            { dimension: 'purpose', value: 'agent' },
          ],
        },
      ],
      order: 'desc',
      paging: { pageSize: 10, pageNumber: 1 },
    });
    expect(found.totalHits).toBe(1);
    const detail = found.conversations![0]!;
    expect(detail.conversationId).toBe(cid);
    const agent = detail.participants!.find((p) => p.purpose === 'agent')!;
    expect(agent).toMatchObject({ userId: mia.id, participantName: 'Mia Welch' });
    expect(agent.sessions![0]).toMatchObject({ mediaType: 'message', messageType: 'webmessaging' });
    expect(agent.sessions![0]!.segments!.map((s) => [s.segmentType, s.queueId])).toEqual([
      ['alert', sports.id],
      ['interact', sports.id],
      ['wrapup', sports.id],
    ]);
    expect(agent.sessions![0]!.segments![2]).toMatchObject({
      wrapUpCode: orderIssue.id,
      wrapUpNote: 'new brake pads',
    });
    expect(detail.participants!.find((p) => p.purpose === 'acd')!.sessions![0]!.segments![0]).toMatchObject({
      segmentType: 'interact',
      queueId: sports.id,
      disconnectType: 'transfer',
    });
    expect(detail.participants!.some((p) => 'attributes' in p)).toBe(false);
    expect(await analyticsApi.getAnalyticsConversationDetails(cid)).toEqual(detail);

    // The flow that routed it is listed with the id analytics names.
    const flows = await new platformClient.ArchitectApi().getFlows({ type: ['inboundshortmessage'] });
    const workflow = detail.participants!.find((p) => p.purpose === 'workflow')!;
    expect(workflow.sessions![0]!.flow).toMatchObject({
      flowId: flows.entities![0]!.id,
      flowType: 'INBOUNDSHORTMESSAGE',
      exitReason: 'TRANSFER',
      transferTargetAddress: sports.id,
    });

    // The details job: its state moves on the emulator clock; its results carry Participant Data.
    const { jobId } = await analyticsApi.postAnalyticsConversationsDetailsJobs({
      interval,
      segmentFilters: [{ type: 'and', predicates: [{ dimension: 'queueId', value: sports.id }] }],
    });
    expect((await analyticsApi.getAnalyticsConversationsDetailsJob(jobId!)).state).toBe('QUEUED');
    await emulator.clock.advance(2_000);
    expect((await analyticsApi.getAnalyticsConversationsDetailsJob(jobId!)).state).toBe('FULFILLED');
    const results = await analyticsApi.getAnalyticsConversationsDetailsJobResults(jobId!);
    expect(results.conversations!.map((c) => c.conversationId)).toEqual([cid]);
    expect(
      results.conversations![0]!.participants!.find((p) => p.purpose === 'customer')!.attributes,
    ).toEqual({
      QueueName: 'Sports Support',
      orderId: 'A-77',
    });

    // Leaving the queue by presence takes her off queue.
    await presenceApi.patchUserPresencesPurecloud(mia.id, {
      presenceDefinition: { id: definitions.entities!.find((d) => d.systemPresence === 'Break')!.id },
    });
    expect((await usersApi.getUserRoutingstatus(mia.id)).status).toBe('OFF_QUEUE');
  });
});
