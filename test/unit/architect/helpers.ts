// Shared fixtures for the Architect flow tests: a recording host, an org's queues, and small flow builders.

import type { FlowHost, QueueRef } from '../../../emulator/domain/architect/index.ts';

export const ORG_QUEUES: readonly QueueRef[] = [
  { id: 'q-general-0001', name: 'General' },
  { id: 'q-sales-0002', name: 'Sales' },
  { id: 'q-support-0003', name: 'Support Tier 1' },
];

/** A host that records what the flow did to the conversation. */
export class RecordingHost implements FlowHost {
  readonly participantData: Map<string, string>;
  readonly sent: string[] = [];
  readonly written: [string, string][] = [];
  listQueuesCalls = 0;

  constructor(
    participantData: Record<string, string> = {},
    private readonly queues: readonly QueueRef[] = ORG_QUEUES,
  ) {
    this.participantData = new Map(Object.entries(participantData));
  }

  getParticipantData(name: string): string | undefined {
    return this.participantData.get(name);
  }
  setParticipantData(name: string, value: string): void {
    this.participantData.set(name, value);
    this.written.push([name, value]);
  }
  listQueues(): readonly QueueRef[] {
    this.listQueuesCalls++;
    return this.queues;
  }
  sendResponse(text: string): void {
    this.sent.push(text);
  }
}

/** Removes the common indentation of a template literal so YAML can be written inline in tests. */
export function yamlText(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  const raw = strings.reduce(
    (text, part, index) => text + part + (index < values.length ? String(values[index]) : ''),
    '',
  );
  const lines = raw.replace(/^\n/, '').split('\n');
  const indents = lines
    .filter((line) => line.trim() !== '')
    .map((line) => line.length - line.trimStart().length);
  const indent = Math.min(...indents);
  return lines.map((line) => line.slice(indent)).join('\n');
}

export { buildFlowYaml, type FlowParts } from '../../support/flow-yaml.ts';

/** The real-shaped dynamic-queue flow: participant data names the queue, with a literal fallback. */
export const DYNAMIC_QUEUE_FLOW = yamlText`
  inboundShortMessage:
    name: Dynamic Queue Routing
    description: Routes to the queue named by the bot in participant data.
    division: Home
    startUpRef: "/inboundShortMessage/states/state[Initial State_10]"
    defaultLanguage: en-us
    supportedLanguages:
      en-us:
        defaultLanguageSkill:
          noValue: true
    settingsErrorHandling:
      errorHandling:
        disconnect:
          none: true
    variables:
      - stringVariable:
          name: Flow.QueueName
          initialValue:
            noValue: true
    states:
      - state:
          name: Initial State
          refId: Initial State_10
          actions:
            - getParticipantData:
                name: Get Participant Data
                attributes:
                  - attribute:
                      name:
                        lit: QueueName
                      variable: Flow.QueueName
            - transferToAcd:
                name: Transfer to requested queue
                targetQueue:
                  exp: FindQueue(Flow.QueueName)
                priority:
                  lit: 0
                preferredAgents:
                  noValue: true
                languageSkill:
                  noValue: true
                directAgent:
                  noValue: true
                failureOutputs:
                  errorType:
                    noValue: true
                  errorMessage:
                    noValue: true
                outputs:
                  failure:
                    actions:
                      - transferToAcd:
                          name: Transfer to default queue
                          targetQueue:
                            lit:
                              name: General
                          priority:
                            lit: 0
            - disconnect:
                name: Disconnect
`;
