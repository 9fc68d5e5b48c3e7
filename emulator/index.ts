/**
 * `genesys-cloud-emulator`: a local Genesys Cloud to test integrations against. Start one with
 * `startEmulator()`, point an SDK, a bridge or a bot at `emu.url`, drive agents with `emu.agent(name)`,
 * and assert on what Genesys would show. Everything exported here is public; nothing else is.
 */
export { Agent, type AgentLeg, type AgentOptions, type AgentWaits, type Within } from './agents/agent.ts';
export { agentFromFixture } from './agents/from-fixture.ts';
export { PlatformCallError, PlatformClient, type PlatformHosts } from './agents/platform-client.ts';
export { defaultFixture } from './config/default-fixture.ts';
export type { Fixture, FixtureInput } from './config/fixture-schema.ts';
export { FixtureError, type FixtureProblem, loadFixtureFile } from './config/load-fixture.ts';
export type { Fidelity } from './config/options.ts';
export { formatPath, type LocatedYaml, parseLocatedYaml, YamlSyntaxError } from './config/yaml-locate.ts';
export type { EventsFilter, HttpFaultSpec, StartCustomerSpec } from './control/schemas.ts';
export type { TimerHandle } from './domain/clock.ts';
export type {
  Conversation,
  ConversationMessage,
  MediaType,
  Participant,
  ParticipantState,
  Purpose,
} from './domain/conversations/model.ts';
export type { DomainEvent, EventDataMap, EventType } from './domain/events.ts';
export type { HttpFault } from './domain/faults.ts';
export { resolveFixture as parseFixtureSource } from './handle/fixture-source.ts';
export { startEmulator } from './handle/start.ts';
export type {
  ConversationSnapshot,
  EmulatorClock,
  EmulatorConversations,
  EmulatorEvents,
  EmulatorFaults,
  EmulatorHandle,
  GuestFrame,
  ScriptedCustomers,
  StartEmulatorOptions,
  WaitForEventOptions,
  WaitUntilOptions,
} from './handle/types.ts';
export { type ActivitySource, untilQuiet, WaitTimeout } from './handle/waiting.ts';
export {
  type ReproPack,
  ReproPackError,
  type ReproPackScenario,
  readReproPack,
  writeReproPack,
} from './inspect/repro-pack.ts';
export type { SequenceActor, SequenceModel, SequenceStep } from './inspect/sequence.ts';
export { DataDirError, type RestoreReport } from './store/journal/durable-state.ts';
export { type GuestSigningKeysPem, guestSigningKeys } from './surfaces/webchat/signing-keys.ts';
export { packageVersion as version } from './version.ts';

// Event types that other modules add to DomainEvent (declaration merging) are public types too: these
// imports put their declarations in the package's types.
import './domain/conversations/events.ts';
import './domain/openmessaging/events.ts';
import './surfaces/fault-injection.ts';
import './surfaces/webchat/events.ts';
