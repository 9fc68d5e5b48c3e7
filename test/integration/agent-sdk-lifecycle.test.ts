import { afterEach, describe, expect, it } from 'vitest';
import { customerSays, sdkAgents, startCustomer } from '../support/agents.ts';
import { startEmulator } from '../support/emulators.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setup() {
  const emulator = await startEmulator();
  const agents = await sdkAgents(emulator);
  cleanup = agents.closeAll;
  const fx = emulator.fixture;
  const queue = (name: string) => fx.queues.find((q) => q.name === name)!;
  const messenger = fx.deployments.messenger[0]!.id;
  return { emulator, agents, queue, messenger };
}

type SdkConversation = Awaited<
  ReturnType<Awaited<ReturnType<Awaited<ReturnType<typeof sdkAgents>>['agent']>>['conversation']>
>;

function legOf(conversation: SdkConversation, userId: string) {
  return conversation.participants!.filter((p) => p.userId === userId).at(-1)!;
}

describe('agents on the official platform SDK', () => {
  it('go on queue, get the alert on a notification channel, answer, chat, transfer to a queue and to an agent, disconnect and wrap up', async () => {
    const { emulator, agents, queue, messenger } = await setup();
    const alda = await agents.agent('Alda Moore');
    const mia = await agents.agent('Mia Welch');
    const dena = await agents.agent('Dena Lakin');
    await alda.listen();
    await mia.listen();
    await dena.listen();
    await alda.goOnQueue();
    await mia.goOnQueue();

    // The bot's metadata names the queue; the default flow routes there with FindQueue.
    const cid = await startCustomer(emulator, {
      deploymentId: messenger,
      attributes: { QueueName: 'Grocery Support', customerId: 'C-42' },
      text: 'I need a human',
    });
    const first = await alda.alert(cid);
    await alda.answer(cid, first.participantId);
    expect((await alda.routingStatus()).status).toBe('INTERACTING');

    const afterAnswer = await alda.conversation(cid);
    const customer = afterAnswer.participants!.find((p) => p.purpose === 'customer')!;
    expect(customer.attributes).toEqual({ QueueName: 'Grocery Support', customerId: 'C-42' });
    expect(
      afterAnswer
        .participants!.filter((p) => p.purpose === 'acd')
        .every((p) => p.messages![0]!.state === 'disconnected'),
    ).toBe(true);

    const sent = await alda.send(cid, first.communicationId, 'Hello, this is Alda');
    expect(sent).toMatchObject({
      textBody: 'Hello, this is Alda',
      direction: 'outbound',
      conversationId: cid,
    });
    await alda.typing(cid, first.communicationId);
    await customerSays(emulator, cid, 'Thanks!');
    await emulator.clock.advance(60_000); // a minute of chatting: Alda is no longer the longest idle
    const messages = emulator.conversations.get(cid)!.messages.map((m) => `${m.purpose}: ${m.text}`);
    expect(messages).toEqual(['customer: I need a human', 'agent: Hello, this is Alda', 'customer: Thanks!']);

    // A transfer to a queue that does not exist is a 404 and the conversation stays with Alda.
    const unknown = await alda
      .transferToQueue(cid, first.participantId, 'no-such-queue')
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 404, code: 'not.found' });
    expect(legOf(await alda.conversation(cid), alda.user.id).messages![0]!.state).toBe('connected');

    // Blind transfer to another queue: Alda's leg ends as a transfer, Mia (Sports Support) is alerted.
    await alda.transferToQueue(cid, first.participantId, queue('Sports Support').id);
    const second = await mia.alert(cid);
    const afterTransfer = await mia.conversation(cid);
    expect(legOf(afterTransfer, alda.user.id).messages![0]).toMatchObject({
      state: 'disconnected',
      disconnectType: 'transfer',
    });
    expect(afterTransfer.participants!.find((p) => p.purpose === 'customer')!.messages![0]!.state).toBe(
      'connected',
    );
    await mia.answer(cid, second.participantId);
    await mia.send(cid, second.communicationId, 'Mia here');

    // Transfer to an agent: Dena is alerted directly, Participant Data travels with the conversation.
    await mia.transferToAgent(cid, second.participantId, dena.user.id);
    const third = await dena.alert(cid);
    await dena.answer(cid, third.participantId);
    const withDena = await dena.conversation(cid);
    expect(withDena.participants!.find((p) => p.purpose === 'customer')!.attributes).toMatchObject({
      customerId: 'C-42',
    });

    await dena.disconnect(cid, third.participantId);
    const ended = await dena.conversation(cid);
    expect(legOf(ended, dena.user.id).messages![0]).toMatchObject({
      state: 'disconnected',
      disconnectType: 'client',
    });
    expect(ended.participants!.find((p) => p.purpose === 'customer')!.messages![0]).toMatchObject({
      state: 'disconnected',
      disconnectType: 'peer',
    });
    await dena.wrapup(cid, third.participantId, 'Resolved');
    expect(legOf(await dena.conversation(cid), dena.user.id).wrapup).toMatchObject({ name: 'Resolved' });
    expect((await alda.routingStatus()).status).toBe('IDLE');
  });

  it('an agent with message capacity 3 holds three conversations; the fourth waits until one ends', async () => {
    const { emulator, agents, queue } = await setup();
    const alda = await agents.agent('Alda Moore'); // message capacity 3 in the default fixture
    await alda.listen();
    await alda.goOnQueue();

    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(await startCustomer(emulator, { queueName: 'Grocery Support', text: `customer ${i}` }));
    const legs = [];
    for (const id of ids.slice(0, 3)) {
      const leg = await alda.alert(id);
      await alda.answer(id, leg.participantId);
      legs.push(leg);
    }
    const waiting = await emulator.inject({
      url: `/__emulator/queues/${queue('Grocery Support').id}/waiting`,
    });
    expect(waiting.json().conversationIds).toEqual([ids[3]]);
    const decision = emulator.events.ofType('routing.decision', { conversationId: ids[3] }).at(-1)!;
    expect(decision.data.outcome).toBe('waiting');
    expect(decision.data.candidates.find((c) => c.userId === alda.user.id)?.skipped).toBe(
      'at capacity for message (3/3)',
    );

    await alda.disconnect(ids[0]!, legs[0]!.participantId);
    const fourth = await alda.alert(ids[3]);
    expect(fourth.conversationId).toBe(ids[3]);
  });

  it('an agent who lets the alert time out becomes NOT_RESPONDING and the next agent gets the conversation', async () => {
    const { emulator, agents } = await setup();
    const mia = await agents.agent('Mia Welch');
    const dena = await agents.agent('Dena Lakin');
    await mia.listen();
    await dena.listen();
    await mia.goOnQueue(); // on queue first: longest idle
    await emulator.clock.advance(1000);
    await dena.goOnQueue();

    const cid = await startCustomer(emulator, { queueName: 'Shoes Support', text: 'hello?' });
    const missed = await mia.alert(cid);
    await emulator.clock.advance(29_999);
    expect((await mia.routingStatus()).status).toBe('IDLE');
    await emulator.clock.advance(1); // the queue's 30 s alerting timeout
    expect((await mia.routingStatus()).status).toBe('NOT_RESPONDING');
    const next = await dena.alert(cid);
    const conversation = await dena.conversation(cid);
    expect(conversation.participants!.find((p) => p.id === missed.participantId)!.messages![0]).toMatchObject(
      {
        state: 'disconnected',
        disconnectType: 'transfer.noanswer',
      },
    );
    await dena.answer(cid, next.participantId);

    // Mia stays NOT_RESPONDING until she goes back on queue herself.
    await emulator.clock.advance(60_000);
    expect((await mia.routingStatus()).status).toBe('NOT_RESPONDING');
    await mia.goOnQueue();
    expect((await mia.routingStatus()).status).toBe('IDLE');
  });

  it('waiting conversations are offered by priority, then arrival, as soon as an agent is available', async () => {
    const { emulator, agents } = await setup();
    const dena = await agents.agent('Dena Lakin'); // message capacity 1
    await dena.listen();
    const low = await startCustomer(emulator, { queueName: 'General', text: 'first, low priority' });
    await emulator.clock.advance(1000);
    const high = await startCustomer(emulator, {
      queueName: 'General',
      text: 'second, high priority',
      priority: 5,
    });
    await dena.goOnQueue();
    const alert = await dena.alert();
    expect(alert.conversationId).toBe(high);
    await dena.answer(high, alert.participantId);
    await dena.disconnect(high, alert.participantId);
    expect((await dena.alert()).conversationId).toBe(low);
  });
});
