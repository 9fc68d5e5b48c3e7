import type { ScenarioStep } from './load.ts';
import type { StepArgs, StepVerb } from './schema.ts';
import type { Capabilities, Need } from './world.ts';

type NeedsOf<V extends StepVerb> = readonly Need[] | ((args: StepArgs<V>) => readonly Need[]);

const AGENTS: readonly Need[] = ['agents'];
const CONTROL_PLANE: readonly Need[] = ['controlPlane'];
const TIME: readonly Need[] = ['controlPlane', 'manualClock'];
const NOTHING: readonly Need[] = [];

/**
 * What each verb needs beyond the bridge, so a run against a target that lacks it (`--target` a real
 * org, or an emulator on the system clock) skips the step instead of failing it. The mapped type makes
 * a verb without an entry a compile error. Reading a conversation through the platform API needs
 * credentials (`agents`); what only the emulator knows (the timeline, queue contents, flow traces,
 * what an agent received) needs the control plane.
 */
export const STEP_NEEDS: { [V in StepVerb]: NeedsOf<V> } = {
  transfer: NOTHING,
  say: (args) => ('agent' in args ? AGENTS : NOTHING),
  typing: (args) => ('agent' in args ? AGENTS : NOTHING),
  // The runner makes the bridge reconnect by having the emulator drop the guest socket.
  reconnect: CONTROL_PLANE,
  leave: NOTHING,
  onQueue: AGENTS,
  offQueue: AGENTS,
  expectAlert: AGENTS,
  answer: AGENTS,
  letAlertTimeOut: ['agents', ...TIME],
  transferToQueue: AGENTS,
  transferToAgent: AGENTS,
  disconnect: AGENTS,
  wrapUp: AGENTS,
  advance: TIME,
  dropCustomerSocket: CONTROL_PLANE,
  failNext: CONTROL_PLANE,
  // A held request is released by moving the emulator's clock.
  slowNext: TIME,
  // The runner hosts the bridge's webhook receiver in every openmessaging run; a held answer waits on time.
  failWebhook: NOTHING,
  slowWebhook: TIME,
  replayWebhook: NOTHING,
  forgeWebhook: NOTHING,
  expectBot: NOTHING,
  // An agent desktop learns what arrived from notifications; the runner reads it from the timeline.
  expectAgentReceived: ['agents', 'controlPlane'],
  expectParticipantData: AGENTS,
  // Who waits in a queue is not in the public API; the rest is the conversation itself.
  expectConversation: (args) => (args.queuedIn === undefined ? AGENTS : ['agents', 'controlPlane']),
  expectFlow: CONTROL_PLANE,
  expectRoutingStatus: AGENTS,
  expectNothingLost: CONTROL_PLANE,
  expectTimeline: CONTROL_PLANE,
};

/** The needs of one step that the target does not meet, in a fixed order. */
export function unmetNeeds(step: ScenarioStep, capabilities: Capabilities): Need[] {
  const entry = STEP_NEEDS[step.verb] as NeedsOf<StepVerb>;
  const needs = typeof entry === 'function' ? entry(step.args as never) : entry;
  return (['controlPlane', 'manualClock', 'agents'] as const).filter(
    (need) => needs.includes(need) && !capabilities[need],
  );
}

const NEED_TEXT: Record<Need, string> = {
  controlPlane: 'the control plane',
  manualClock: 'a manual clock',
  agents: 'agent credentials (--target-fixture)',
};

/** `needs the control plane and a manual clock` */
export function describeNeeds(needs: readonly Need[]): string {
  return `needs ${needs.map((n) => NEED_TEXT[n]).join(' and ')}`;
}
