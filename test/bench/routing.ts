import { parseFixture } from '../../emulator/config/load-fixture.ts';
import { EmulatorRuntime } from '../../emulator/runtime.ts';
import { gc, report } from './stats.ts';

/** An org of `agents` agents spread over `queues` queues, each agent able to hold many messages. */
export function bigOrg(queues: number, agents: number, capacity: number) {
  const q = Array.from({ length: queues }, (_, i) => ({ id: `q-${i}`, name: `Queue ${i}` }));
  return parseFixture({
    org: { id: 'bench-org', name: 'Bench' },
    queues: q,
    users: Array.from({ length: agents }, (_, i) => ({
      id: `u-${i}`,
      name: `Agent ${i}`,
      email: `agent${i}@example.com`,
      queues: [q[i % queues]!.name],
      capacity: { message: capacity },
    })),
  });
}

export function routingBench(): void {
  const queues = 100;
  const agents = 1000;
  // Memory per idle conversation: conversations waiting in queues whose agents are off queue.
  const idle = new EmulatorRuntime({
    fixture: bigOrg(queues, agents, 25),
    clock: 'manual',
    seed: 2,
    logLevel: 'silent',
  });
  const m = 10_000; // ~6 events each: stays under the event log's cap, so the timeline is counted too
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < m; i++) {
    const c = idle.conversations.start({
      mediaType: 'message',
      channel: 'webmessaging',
      customerName: 'Customer',
      attributes: { QueueName: 'Queue 1' },
    });
    idle.conversations.route(c, { queueName: `Queue ${i % queues}` });
  }
  gc();
  const perConversation = (process.memoryUsage().heapUsed - before) / m;

  const runtime = new EmulatorRuntime({
    fixture: bigOrg(queues, agents, 25),
    clock: 'manual',
    seed: 1,
    logLevel: 'silent',
  });
  for (const u of runtime.fixture.users) runtime.router.setRoutingStatus(u.id, 'IDLE');
  const core = runtime.conversations;
  const n = 20_000;
  let decisions = 0;
  let alerted = 0;
  runtime.events.subscribe((e) => {
    if (e.type === 'routing.decision') decisions++;
    if (e.type === 'agent.alerted') alerted++;
  });
  const queueNames = runtime.fixture.queues.map((q) => q.name);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const c = core.start({ mediaType: 'message', channel: 'webmessaging', customerName: 'c' });
    core.route(c, { queueName: queueNames[i % queues]! });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  report(`ACD routing (${agents} agents in ${queues} queues, in-process)`, {
    'conversations routed': n,
    'routing decisions': decisions,
    'agents alerted': alerted,
    'routing decisions per second': Math.round(decisions / seconds),
    'memory per idle conversation (incl. its timeline events)': `${(perConversation / 1024).toFixed(2)} KB`,
    targets: '>= 20,000 decisions/s, < 8 KB per conversation',
  });
}
