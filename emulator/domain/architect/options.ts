// Behaviour switches for points the Architect reference leaves UNCONFIRMED, plus the action cap. Options
// given to loadFlow become the flow's defaults; options given to runFlow override them for that run.

export interface FlowOptions {
  /**
   * What Get Participant Data stores when the attribute does not exist. UNCONFIRMED in the reference;
   * default 'notSet' because Architect documents NOT_SET as "no value", and an absent attribute has none.
   */
  readonly missingParticipantData?: 'notSet' | 'empty' | 'unchanged';
  /** Whether `==`/`!=` on strings ignore letter case. UNCONFIRMED; default false (case-sensitive). */
  readonly caseInsensitiveStringEquals?: boolean;
  /**
   * How queue names are matched (FindQueue, queue literals, the Find Queue action). UNCONFIRMED; default
   * 'caseInsensitive': trimmed, case-insensitive, whole-name match. 'exact' compares the names as given.
   */
  readonly queueNameMatch?: 'caseInsensitive' | 'exact';
  /** Actions one run may execute before the flow's error handling takes over. Default 10,000. */
  readonly maxActions?: number;
}

export type ResolvedFlowOptions = Required<FlowOptions>;

export const DEFAULT_FLOW_OPTIONS: ResolvedFlowOptions = Object.freeze({
  missingParticipantData: 'notSet',
  caseInsensitiveStringEquals: false,
  queueNameMatch: 'caseInsensitive',
  maxActions: 10_000,
});

/** Layers `override` on `base`, rejecting values outside the documented ranges (a programming error). */
export function resolveFlowOptions(base: ResolvedFlowOptions, override?: FlowOptions): ResolvedFlowOptions {
  if (override === undefined) return base;
  const resolved: ResolvedFlowOptions = {
    missingParticipantData: override.missingParticipantData ?? base.missingParticipantData,
    caseInsensitiveStringEquals: override.caseInsensitiveStringEquals ?? base.caseInsensitiveStringEquals,
    queueNameMatch: override.queueNameMatch ?? base.queueNameMatch,
    maxActions: override.maxActions ?? base.maxActions,
  };
  if (!['notSet', 'empty', 'unchanged'].includes(resolved.missingParticipantData)) {
    throw new RangeError(`missingParticipantData must be 'notSet', 'empty' or 'unchanged'`);
  }
  if (!['caseInsensitive', 'exact'].includes(resolved.queueNameMatch)) {
    throw new RangeError(`queueNameMatch must be 'caseInsensitive' or 'exact'`);
  }
  if (!Number.isSafeInteger(resolved.maxActions) || resolved.maxActions < 1) {
    throw new RangeError('maxActions must be a positive integer');
  }
  return Object.freeze(resolved);
}
