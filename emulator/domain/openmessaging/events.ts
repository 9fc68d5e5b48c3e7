/** Open Messaging events; merged into the emulator's one event union. */
declare module '../events.ts' {
  interface EmulatorEventData {
    'openmessaging.integration.created': { integrationId: string; name: string };
    /** The asynchronous creation finished: createStatus is Completed. */
    'openmessaging.integration.completed': { integrationId: string };
    'openmessaging.integration.updated': { integrationId: string; fields: string[] };
    'openmessaging.integration.deleted': { integrationId: string };
    /** The integration's message routing recipient now runs this inbound message flow. */
    'openmessaging.recipient.updated': { integrationId: string; flow: string };
    /** A message arrived on an integration with no flow attached: its conversation waits unrouted. */
    'openmessaging.unrouted': { integrationId: string; reason: string };
    /**
     * One webhook delivery attempt and its outcome: `delivered` (2xx), `retrying` (timeout, network
     * error, 429 or 5xx; the next attempt follows in 5 s), `failed` (another status, or no attempts left).
     */
    'openmessaging.webhook.attempt': {
      integrationId: string;
      /** The delivered body's id (the Genesys message id for messages). */
      id: string;
      kind: 'message' | 'typing' | 'disconnect';
      attempt: number;
      outcome: 'delivered' | 'retrying' | 'failed';
      status?: number;
      error?: string;
    };
  }
}

export {};
