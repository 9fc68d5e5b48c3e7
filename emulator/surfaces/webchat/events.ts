/**
 * Guest stream events, for the inspection timeline: when routing was started by the stream, and when
 * a guest dropped (the conversation itself is unchanged by a drop; only the idle clock starts).
 */
declare module '../../domain/events.ts' {
  interface EmulatorEventData {
    'webchat.stream.attached': { memberId: string; first: boolean };
    'webchat.stream.detached': { memberId: string };
  }
}

export {};
