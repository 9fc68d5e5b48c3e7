// The two kinds of failure: a flow that cannot be loaded (refused up front, with a location), and an
// evaluation failure while running (which the interpreter turns into the flow's error handling).

export type FlowLoadErrorCode =
  | 'flow.yaml'
  | 'flow.substitution'
  | 'flow.type.unsupported'
  | 'flow.schema'
  | 'flow.unsupported.action'
  | 'flow.unsupported.property'
  | 'flow.unknown.function'
  | 'flow.unknown.variable'
  | 'flow.syntax'
  | 'flow.type'
  | 'flow.reference'
  | 'flow.duplicate';

export interface FlowLocation {
  /** Where in the flow, e.g. `inboundShortMessage.states[0](Initial State).actions[2].callData`. */
  readonly path: string;
  /** 1-based line in the YAML text (after `{{key}}` substitution), when known. */
  readonly line?: number;
  /** The flow file or source label the YAML came from, when the caller gave one. */
  readonly file?: string;
}

export class FlowLoadError extends Error {
  override readonly name = 'FlowLoadError';
  readonly code: FlowLoadErrorCode;
  readonly location: FlowLocation;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(code: FlowLoadErrorCode, detail: string, location: FlowLocation) {
    super(`${formatLocation(location)}: ${detail}`);
    this.code = code;
    this.detail = detail;
    this.location = location;
  }
}

function formatLocation(location: FlowLocation): string {
  const where = location.file === undefined ? '' : location.file;
  const line = location.line === undefined ? '' : `${where === '' ? 'line ' : ':'}${location.line}`;
  const prefix = `${where}${line}`;
  return prefix === '' ? location.path : `${prefix}: ${location.path}`;
}

/**
 * Thrown by expression evaluation and actions at run time. Never escapes `runFlow`: the interpreter catches
 * it and applies the flow's error handling (disconnect), recording the reason in the trace.
 */
export class FlowRuntimeError extends Error {
  override readonly name = 'FlowRuntimeError';
}
