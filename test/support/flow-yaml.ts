import { stringify } from 'yaml';

// Shared by the Architect unit tests (test/unit/architect/helpers.ts re-exports it) and by integration
// tests that give the emulator a small flow of their own: plain YAML, nothing of the emulator.

export interface FlowParts {
  readonly variables?: readonly unknown[];
  readonly actions: readonly unknown[];
  readonly stateVariables?: readonly unknown[];
  readonly tasks?: readonly unknown[];
}

/** Builds a one-state inboundShortMessage flow from JS objects (for tests that do not care about lines). */
export function buildFlowYaml(parts: FlowParts): string {
  return stringify({
    inboundShortMessage: {
      name: 'Test Flow',
      startUpRef: '/inboundShortMessage/states/state[Initial State_10]',
      defaultLanguage: 'en-us',
      supportedLanguages: { 'en-us': { defaultLanguageSkill: { noValue: true } } },
      settingsErrorHandling: { errorHandling: { disconnect: { none: true } } },
      ...(parts.variables === undefined ? {} : { variables: parts.variables }),
      states: [
        {
          state: {
            name: 'Initial State',
            refId: 'Initial State_10',
            ...(parts.stateVariables === undefined ? {} : { variables: parts.stateVariables }),
            actions: parts.actions,
          },
        },
      ],
      ...(parts.tasks === undefined ? {} : { tasks: parts.tasks }),
    },
  });
}
