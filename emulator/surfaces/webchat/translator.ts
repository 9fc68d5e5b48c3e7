import type { DomainContext } from '../../domain/context.ts';
import { findConversation } from '../../domain/conversations/conversation-store.ts';
import type { Conversation, Participant, ParticipantState } from '../../domain/conversations/model.ts';
import type { DomainEvent } from '../../domain/events.ts';
import { findChat, type GuestChat, type MemberNoteType, participantById } from './chats.ts';
import type { GuestStreams } from './event-stream.ts';
import type { FrameWriter } from './frames.ts';
import { memberState } from './presenters.ts';
import { fromConversationMessage, fromNote } from './timeline.ts';

/**
 * Turns conversation events into what the guest sees (guest-protocols.md §1.5):
 * - every non-customer participant's state as `member-change` (WORKFLOW and ACD members included;
 *   that the guest sees them is UNCONFIRMED but follows from the member roles);
 * - an agent connecting adds a `member-join` message, an agent who was connected leaving adds a
 *   `member-leave` (an alert that times out is only ALERTING -> DISCONNECTED);
 * - the guest's own DISCONNECTED, with `member-leave` only when the guest left or went idle; a chat
 *   ended by an agent, a flow or the API shows just DISCONNECTED (UNCONFIRMED, §1.5 step 6);
 * - messages of every member, the guest's own included, and typing of every member (that the guest
 *   gets its own typing back is UNCONFIRMED; it is treated like its own messages);
 * - the end of the conversation closes the stream after those frames.
 * Join and leave messages are recorded on the chat even with no stream attached, so the message list
 * shows them to a guest who reconnects.
 */
export class GuestFrameTranslator {
  readonly #ctx: DomainContext;
  readonly #streams: GuestStreams;
  readonly #frames: FrameWriter;
  readonly #onError: (error: unknown) => void;
  #typingId: { conversationId: string; id: string } | undefined;

  constructor(ctx: DomainContext, streams: GuestStreams, frames: FrameWriter, onError: (e: unknown) => void) {
    this.#ctx = ctx;
    this.#streams = streams;
    this.#frames = frames;
    this.#onError = onError;
  }

  /** Subscribed to the event bus. Never throws: a failure here must not abort the domain operation. */
  onEvent(event: DomainEvent): void {
    if (event.conversationId === undefined) return;
    const chat = findChat(this.#ctx, event.conversationId);
    if (!chat) return;
    try {
      this.#translate(chat, event);
    } catch (e) {
      this.#onError(e);
    }
  }

  /** Runs `fn` so that the typing frame it causes carries `id`, the id the REST reply returns. */
  withTypingId(conversationId: string, id: string, fn: () => void): void {
    this.#typingId = { conversationId, id };
    try {
      fn();
    } finally {
      this.#typingId = undefined;
    }
  }

  /** Records a member-join / member-leave message and sends it if the guest is listening. */
  note(chat: GuestChat, conversation: Conversation, memberId: string, bodyType: MemberNoteType): void {
    const note = {
      id: this.#ctx.ids.uuid(),
      memberId,
      bodyType,
      time: this.#ctx.clock.now(),
      at: conversation.messages.length,
    };
    chat.notes.push(note);
    this.#streams.send(chat.conversationId, this.#frames.message(chat.conversationId, fromNote(note)));
  }

  /** A member-change frame, if the guest is listening (the stream route sends the guest's own). */
  memberChange(chat: GuestChat, memberId: string, state: string): void {
    this.#streams.send(
      chat.conversationId,
      this.#frames.memberChange(chat.conversationId, memberId, state, this.#ctx.clock.now()),
    );
  }

  #translate(chat: GuestChat, event: DomainEvent): void {
    const cid = chat.conversationId;
    if (event.type === 'conversation.ended') {
      this.#streams.end(cid);
      return;
    }
    const conversation = findConversation(this.#ctx, cid);
    if (!conversation) return;
    switch (event.type) {
      case 'participant.added': {
        const p = participantById(conversation, event.data.participantId);
        if (!p || p.purpose === 'customer') return;
        this.memberChange(chat, p.communicationId, memberState(event.data.state));
        if (event.data.state === 'connected' && p.purpose === 'agent')
          this.note(chat, conversation, p.communicationId, 'member-join');
        return;
      }
      case 'participant.state.changed': {
        const p = participantById(conversation, event.data.participantId);
        if (p) this.#stateChanged(chat, conversation, p, event.data);
        return;
      }
      case 'message.sent': {
        const room = fromConversationMessage(conversation, event.data.message);
        this.#streams.send(cid, this.#frames.message(cid, room));
        return;
      }
      case 'typing.sent': {
        const p = participantById(conversation, event.data.participantId);
        if (!p) return;
        const pending = this.#typingId?.conversationId === cid ? this.#typingId.id : undefined;
        const id = pending ?? this.#ctx.ids.uuid();
        this.#streams.send(cid, this.#frames.typing(cid, id, p.communicationId, this.#ctx.clock.now()));
        return;
      }
      default:
        return;
    }
  }

  #stateChanged(
    chat: GuestChat,
    conversation: Conversation,
    p: Participant,
    change: { from: ParticipantState; to: ParticipantState },
  ): void {
    const { from, to } = change;
    if (to === 'terminated' && from === 'disconnected') return; // wrap-up done: nothing new for the guest
    const state = memberState(to);
    this.memberChange(chat, p.communicationId, state);
    if (state === 'CONNECTED' && p.purpose === 'agent') {
      this.note(chat, conversation, p.communicationId, 'member-join');
      return;
    }
    if (state !== 'DISCONNECTED') return;
    const agentLeft = p.purpose === 'agent' && from === 'connected';
    const guestLeft = p.purpose === 'customer' && chat.left;
    if (agentLeft || guestLeft) this.note(chat, conversation, p.communicationId, 'member-leave');
  }
}
