// Public surface of the Architect inbound flow emulation: load an Archy YAML flow once, run it many times.

export type { FlowLoadErrorCode, FlowLocation } from './errors.ts';
export { FlowLoadError } from './errors.ts';
export type { LoadedFlow } from './flow-model.ts';
export type { FlowType } from './flow-types.ts';
export type { FlowHost, QueueRef } from './host.ts';
export { runFlow } from './interpreter.ts';
export type { FlowSource } from './load-flow.ts';
export { loadFlow } from './load-flow.ts';
export type { FlowOptions, ResolvedFlowOptions } from './options.ts';
export { DEFAULT_FLOW_OPTIONS } from './options.ts';
export type { FlowOutcome, FlowRun, FlowTraceEntry } from './trace.ts';
