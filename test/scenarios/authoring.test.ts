import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../scenarios/runner/load.ts';
import { junit, prettyLine } from '../../scenarios/runner/reporters.ts';
import { runScenario } from '../../scenarios/runner/run.ts';

/**
 * What a scenario author sees when they get something wrong: a typo in a verb, an actor, an agent's or a
 * queue's name gets "did you mean" with the valid names; a field of the wrong kind is said in the
 * author's words; a failed text expectation shows what did arrive; a QueueName the flow did not find
 * passes only with a warning unless the scenario expects the failure path.
 */

const HEADER = `name: authoring
channels: [webmessaging]
actors:
  pat: { customer: {} }
  alda: { agent: Alda Moore }
steps:
`;

function loadProblems(text: string): string[] {
  try {
    parseScenario(text, 'story.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.message.split('\n');
  }
  throw new Error('expected a ScenarioError');
}

describe('loading a scenario with a mistake', () => {
  it.each([
    [
      'a verb in the wrong letter case',
      '  - onqueue: alda\n',
      'story.yaml:7: steps[0]: unknown step "onqueue"; did you mean "onQueue"? (the verbs are transfer, say,',
    ],
    [
      'a misspelt verb',
      '  - expectBott: { customer: pat }\n',
      'story.yaml:7: steps[0]: unknown step "expectBott"; did you mean "expectBot"?',
    ],
    [
      'a misspelt actor',
      '  - onQueue: ald\n',
      'story.yaml:7: steps[0].onQueue: no actor named "ald"; did you mean "alda"? (the agents are "alda")',
    ],
    [
      'a customer where an agent belongs',
      '  - answer: pat\n',
      'story.yaml:7: steps[0].answer: "pat" is not an agent (the agents are "alda")',
    ],
    [
      'a misspelt field',
      '  - transfer: { customer: pat, queu: General }\n',
      'story.yaml:7: steps[0].transfer: transfer has no field "queu"; did you mean "queue"? (its fields: customer, queue?,',
    ],
    [
      'a number where a duration belongs',
      '  - advance: 30\n',
      'story.yaml:7: steps[0].advance: advance takes a duration such as 30s (a number, then ms, s, m or h), got 30',
    ],
    [
      'a duration without a unit',
      '  - expectAlert: { agent: alda, within: "5" }\n',
      'story.yaml:7: steps[0].expectAlert.within: within takes a duration such as 30s (a number, then ms, s, m or h), got "5"',
    ],
    [
      'a routing status in the wrong letter case',
      '  - expectRoutingStatus: { agent: alda, is: idle }\n',
      'story.yaml:7: steps[0].expectRoutingStatus.is: is takes one of "OFF_QUEUE", "IDLE", "INTERACTING", "NOT_RESPONDING", got "idle"; did you mean "IDLE"?',
    ],
    [
      'a misspelt bridge event',
      '  - expectBot: { customer: pat, event: agent.mesage }\n',
      'did you mean "agent.message"?',
    ],
    [
      'a misspelt text matcher',
      '  - expectBot: { customer: pat, text: { contain: hi } }\n',
      'story.yaml:7: steps[0].expectBot.text: text takes a text, or { equals: text }, { contains: text } or { matches: regular expression }, got {"contain":"hi"}; did you mean "contains"?',
    ],
    [
      'an agent saying nothing',
      '  - say: { agent: alda }\n',
      'story.yaml:7: steps[0].say.text: text is missing',
    ],
    [
      'a fault status Genesys does not send',
      '  - failNext: { path: /api/v2/x, status: 500 }\n',
      'story.yaml:7: steps[0].failNext.status: status takes 429 or 503, got 500',
    ],
    ['a step given as text', '  - expectBot: pat\n', 'expectBot takes { customer, event?, text?,'],
  ])('%s', (_what, steps, message) => {
    expect(loadProblems(HEADER + steps).join('\n')).toContain(message);
  });

  it('names the field a scenario misspells at the top, and a misspelt channel', () => {
    expect(loadProblems(`nam: x\n${HEADER.slice('name: authoring\n'.length)}  - onQueue: alda\n`)).toContain(
      'story.yaml:1: (root): the scenario has no field "nam"; did you mean "name"? (its fields: name, description?, fixture?, channels?, seed?, bridge?, actors, steps)',
    );
    expect(
      loadProblems(HEADER.replace('[webmessaging]', '[webmesaging]') + '  - onQueue: alda\n').join('\n'),
    ).toContain(
      'channels[0] takes one of "webmessaging", "webchat", "openmessaging", got "webmesaging"; did you mean "webmessaging"?',
    );
  });
});

describe('running a scenario with a mistake', () => {
  it('an agent the org does not have fails before the first step, naming the users', async () => {
    const scenario = parseScenario(
      HEADER.replace('Alda Moore', 'Alda Mor') + '  - onQueue: alda\n',
      'story.yaml',
    );
    const result = await runScenario(scenario, 'webmessaging');
    expect(result.failure).toMatchObject({ stepIndex: -1, line: 5, verb: 'setup' });
    expect(result.failure!.message).toMatch(
      /^actor "alda": the org has no user named "Alda Mor"; did you mean "Alda Moore"\? \(its users are "Alda Moore", /,
    );
    expect(result.transcript).not.toMatch(/IDLE/);
  });

  it('a queue the org does not have fails at its step before anything runs, with the queues', async () => {
    const scenario = parseScenario(
      `${HEADER}  - onQueue: alda
  - transfer: { customer: pat, queue: General, message: hi }
  - expectAlert: { agent: alda }
  - answer: alda
  - transferToQueue: { agent: alda, queue: Shoe Support }
  - expectConversation: { customer: pat, queuedIn: genral }
`,
      'story.yaml',
    );
    const result = await runScenario(scenario, 'webmessaging');
    expect(result.failure).toMatchObject({ stepIndex: 4, line: 11, verb: 'transferToQueue' });
    const [first, second] = result.failure!.message.split('\n');
    expect(first).toMatch(
      /^the org has no queue named "Shoe Support"; did you mean "Shoes Support"\? \(its queues are .*"General"/,
    );
    expect(second).toBe(
      `and story.yaml:12: the org has no queue named "genral"; did you mean "General"? (its queues are ${first!.split('(its queues are ')[1]}`,
    );
    // Nothing ran: no agent went on queue.
    expect(result.transcript).not.toMatch(/OFF_QUEUE -> IDLE/);
  });

  it('a failed expectBot shows the agent messages that did arrive, nearest first', async () => {
    const scenario = parseScenario(
      `${HEADER}  - onQueue: alda
  - transfer: { customer: pat, queue: General, message: hi }
  - expectAlert: { agent: alda }
  - answer: alda
  - say: { agent: alda, text: Good morning }
  - say: { agent: alda, text: "Hi Pat, this is Alda" }
  - expectBot: { customer: pat, text: "Hi Pat, this is Alba", within: 5s }
`,
      'story.yaml',
    );
    const result = await runScenario(scenario, 'webmessaging');
    expect(result.failure?.verb).toBe('expectBot');
    expect(result.failure!.message).toMatch(
      /^timed out after 5000 ms \(emulator time\) waiting for the bot to receive an event with text "Hi Pat, this is Alba"; the nearest of the 2 agent messages that arrived: "Hi Pat, this is Alda", "Good morning"$/,
    );
    // The transcript's bridge lines carry the text too.
    expect(result.transcript).toMatch(/bridge +#\d+ agent\.message: Alda Moore: "Hi Pat, this is Alda"/);
  });

  it('a failed expectAgentReceived shows the customer messages that did arrive', async () => {
    const scenario = parseScenario(
      `${HEADER}  - onQueue: alda
  - transfer: { customer: pat, queue: General, message: hi }
  - expectAlert: { agent: alda }
  - answer: alda
  - say: { customer: pat, text: My bill is wrong }
  - expectAgentReceived: { agent: alda, text: { contains: bill is right }, within: 5s }
`,
      'story.yaml',
    );
    const result = await runScenario(scenario, 'webmessaging');
    expect(result.failure?.verb).toBe('expectAgentReceived');
    expect(result.failure!.message).toMatch(
      /; the nearest of the 2 customer messages that arrived: "My bill is wrong", "hi"$/,
    );
  });
});

describe('a QueueName the flow does not find', () => {
  const story = (
    expectFlow: string,
  ) => `${HEADER}  - transfer: { customer: pat, queue: Sports Suport, message: hi }
  - expectConversation: { customer: pat, queuedIn: General }
${expectFlow}`;

  it('passes with a warning that the flow took its failure path, naming the queue meant', async () => {
    const result = await runScenario(parseScenario(story(''), 'story.yaml'), 'webmessaging');
    expect(result.passed, result.failure?.message).toBe(true);
    expect(result.warnings).toEqual([
      'pat: flow "Bot Handoff Message Flow" took its failure path (Transfer to requested queue: The target queue is NOT_SET.) and went on to General; it read QueueName = "Sports Suport" (no queue has that name; did you mean "Sports Support"?). If that is intended, say so with expectFlow.',
    ]);
    expect(result.transcript).toMatch(
      /runner +WARNING pat: flow "Bot Handoff Message Flow" took its failure path/,
    );
    // The reporters a person and a CI server read show it too.
    expect(prettyLine(result)).toMatch(
      /^ok .*\n {2}warning: pat: flow "Bot Handoff Message Flow" took its failure path/,
    );
    expect(junit([result])).toContain(
      '<system-out>warning: pat: flow &#34;Bot Handoff Message Flow&#34; took',
    );
  });

  it('passes quietly when the scenario expects the failure path with expectFlow', async () => {
    const result = await runScenario(
      parseScenario(story('  - expectFlow: { customer: pat, queue: General }\n'), 'story.yaml'),
      'webmessaging',
    );
    expect(result.passed, result.failure?.message).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('passes quietly when the flow finds the queue', async () => {
    const text = story('')
      .replace('Sports Suport', 'Sports Support')
      .replace('queuedIn: General', 'queuedIn: Sports Support');
    const result = await runScenario(parseScenario(text, 'story.yaml'), 'webmessaging');
    expect(result.passed, result.failure?.message).toBe(true);
    expect(result.warnings).toEqual([]);
  });
});
