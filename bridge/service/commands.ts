import type { Bridge } from '../index.ts';
import type { SendAck, SessionSnapshot } from '../types.ts';
import { ServiceError } from './errors.ts';
import { EndBody, MessageBody, parse, TypingBody } from './schemas.ts';
import { isFinished } from './session-feed.ts';

/**
 * The per-session commands, shared by the REST routes and the WebSocket's `command` frames so both
 * validate and answer the same way.
 */
export interface CommandResults {
  sendMessage: SendAck;
  typing: { sessionId: string; accepted: true };
  end: { sessionId: string; state: SessionSnapshot['state'] };
}

export type CommandOp = keyof CommandResults;

export interface CommandLog {
  warn(details: object, message: string): void;
}

export function sessionCommands(bridge: Bridge, log: CommandLog) {
  const session = async (sessionId: string): Promise<SessionSnapshot> => {
    const snapshot = await bridge.getSession(sessionId);
    if (!snapshot) {
      throw new ServiceError(
        'SESSION_NOT_FOUND',
        `no session ${sessionId} (it may have ended and been forgotten)`,
      );
    }
    return snapshot;
  };

  const commands: { [Op in CommandOp]: (sessionId: string, body: unknown) => Promise<CommandResults[Op]> } = {
    /** The library dedupes on clientMessageId and reports refusals both here and on the event stream. */
    sendMessage: async (sessionId, body) =>
      bridge.sendCustomerMessage(sessionId, parse(MessageBody, body, 'body')),

    /** Best effort, but an ended session is still an error worth telling: nobody will see the typing. */
    typing: async (sessionId, body) => {
      const { isTyping } = parse(TypingBody, body, 'body');
      if (isFinished(await session(sessionId))) {
        throw new ServiceError('SESSION_ENDED', `session ${sessionId} has ended`);
      }
      await bridge.sendTyping(sessionId, { isTyping });
      return { sessionId, accepted: true };
    },

    /**
     * Accepted at once; the outcome is the session's `session.ended` event (leaving Genesys can take a
     * round trip). Ending an ended session changes nothing and says so with its state.
     */
    end: async (sessionId, body) => {
      const { reason } = parse(EndBody, body, 'body');
      const snapshot = await session(sessionId);
      if (!isFinished(snapshot)) {
        bridge.endSession(sessionId, reason ? { reason } : {}).catch((error: unknown) => {
          log.warn({ err: error, sessionId }, 'ending the session failed');
        });
      }
      return { sessionId, state: snapshot.state };
    },
  };
  return commands;
}

export type SessionCommands = ReturnType<typeof sessionCommands>;
