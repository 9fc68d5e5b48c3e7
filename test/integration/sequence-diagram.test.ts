import { describe, expect, it } from 'vitest';
import { startEmulator } from '../support/emulators.ts';

/**
 * The conversation as a picture: a transfer story's Mermaid sequence diagram names the flow's decision
 * with the value it read, both queues and both agents, in the order things happened.
 */
describe('the sequence diagram of a conversation', () => {
  it('shows the flow reading QueueName, the first queue and agent, the blind transfer, the second queue and agent, in order', async () => {
    const emu = await startEmulator();
    const alda = emu.agent('Alda Moore'); // Sports Support
    const dena = emu.agent('Dena Lakin'); // Shoes Support
    await alda.goOnQueue();
    await dena.goOnQueue();
    const deployment = emu.fixture.deployments.messenger[0]!.id;
    const { id } = emu.customers.start({
      deploymentId: deployment,
      attributes: { QueueName: 'Sports Support' },
      text: 'I need help',
    });
    await alda.nextAlert();
    await alda.answer();
    await alda.say('Hi, Alda here');
    await alda.transferToQueue('Shoes Support');
    await dena.nextAlert();
    await dena.answer();
    await dena.disconnect();
    await dena.wrapUp('Resolved');

    const { mermaid, model } = emu.sequence(id);
    expect(model.actors.map((a) => a.kind)).toEqual(['customer', 'flow', 'queue', 'agent', 'queue', 'agent']);
    expect(mermaid.startsWith('sequenceDiagram\n')).toBe(true);
    const order = [
      'participant customer as Customer (bot bridge)',
      'participant flow1 as Flow Bot Handoff Message Flow',
      'customer->>flow1: runs the inbound flow',
      'Note over flow1: reads QueueName = "Sports Support"',
      'flow1->>q1: transfers to Sports Support',
      'q1->>a1: alerts (answer within 30 s)',
      'a1-->>customer: answers',
      'a1-->>customer: Hi, Alda here',
      'a1->>q2: blind transfer',
      'q2->>a2: alerts (answer within 30 s)',
      'a2-->>customer: answers',
      'a2--xcustomer: disconnects',
      'Note over customer: conversation ends',
      'Note over a2: wraps up (Resolved)',
    ];
    let at = -1;
    for (const line of order) {
      const found = mermaid.indexOf(line, at + 1);
      expect(found, `"${line}" after position ${at} in\n${mermaid}`).toBeGreaterThan(at);
      at = found;
    }
    expect(mermaid).toContain('participant q1 as Queue Sports Support');
    expect(mermaid).toContain('participant q2 as Queue Shoes Support');
    expect(mermaid).toContain('participant a1 as Alda Moore');
    expect(mermaid).toContain('participant a2 as Dena Lakin');
    // Emulator times, as notes.
    expect(mermaid).toMatch(/Note left of customer: 09:00:00\.\d{3}/);
  });
});
