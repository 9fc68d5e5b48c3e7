/** Presence events; merged into the emulator's one event union. */
declare module '../events.ts' {
  interface EmulatorEventData {
    /** A user's Genesys Cloud (PURECLOUD source) presence changed: its definition, its message, or both. */
    'agent.presence.changed': {
      userId: string;
      from: { id: string; systemPresence: string };
      to: { id: string; systemPresence: string };
      message: string;
    };
  }
}

export {};
