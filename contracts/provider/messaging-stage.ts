import type { AgentPool } from './agents.ts';
import { MessagingGuest, outbound, outboundEvent } from './wire/messaging-guest.ts';
import type { Offer } from './wire/platform-agent.ts';
import type { MessengerSetup, ProviderWorld } from './world.ts';

type Json = Record<string, unknown>;

/** A guest session the states set up: its socket, its SessionResponse, the agent on its conversation. */
interface Session {
  token: string;
  guest: MessagingGuest;
  durationSeconds: number;
  conversationStarted: boolean;
  offer?: Offer;
}

/** The most connections a session may have open is 3 in Genesys; a few more attempts find the limit. */
const CONNECTION_ATTEMPTS = 6;

/**
 * The Web Messaging side of one interaction: provider states put a guest session into the situation the
 * pact names, and message providers replay the bridge's frames on it or pick the frame Genesys pushed.
 */
export class MessagingStage {
  readonly #world: ProviderWorld;
  readonly #agents: AgentPool;
  readonly #sessions = new Map<string, Session>();
  readonly #guests: MessagingGuest[] = [];
  #deployment: MessengerSetup | undefined;
  #refused: MessagingGuest | undefined;

  constructor(world: ProviderWorld, agents: AgentPool) {
    this.#world = world;
    this.#agents = agents;
  }

  async deployment(setup: MessengerSetup): Promise<void> {
    this.#deployment = await this.#world.messengerDeployment({ ...this.#deployment, ...setup });
  }

  async greeting(greeting: string): Promise<void> {
    const current = this.#requireDeployment();
    this.#deployment = await this.#world.messengerDeployment({ ...current, greeting });
  }

  async configure(exampleToken: string): Promise<void> {
    const token = this.#world.guestToken(exampleToken);
    const guest = await this.#connect();
    const reply = await guest.configure(token);
    const body = reply['body'] as Json;
    this.#sessions.set(exampleToken, {
      token,
      guest,
      durationSeconds: Number(body['durationSeconds']),
      conversationStarted: false,
    });
  }

  async startConversation(exampleToken: string): Promise<void> {
    const session = this.#session(exampleToken);
    await echoed(session.guest.say(session.token, 'Hello, I need help.'));
    session.conversationStarted = true;
  }

  async agentAnswers(agentName: string, exampleToken: string): Promise<void> {
    const session = this.#session(exampleToken);
    const agent = await this.#agents.get(agentName);
    const from = agent.notifications.mark();
    await agent.goOnQueue();
    if (!session.conversationStarted) await this.startConversation(exampleToken);
    session.offer = await agent.nextOffer('message', from);
    await agent.answer(session.offer);
  }

  async agentSays(agentName: string, text: string, exampleToken: string): Promise<void> {
    const { session, agent, offer } = await this.#onConversation(agentName, exampleToken);
    const from = session.guest.log.mark();
    await agent.say(offer, text);
    await session.guest.pushed(
      outbound('Text', (b) => b['text'] === text),
      `the agent's "${text}"`,
      from,
    );
  }

  async agentTypes(agentName: string, exampleToken: string): Promise<void> {
    const { session, agent, offer } = await this.#onConversation(agentName, exampleToken);
    const from = session.guest.log.mark();
    await agent.typing(offer);
    await session.guest.pushed(outboundEvent('Typing'), 'agent typing', from);
  }

  async agentEnds(agentName: string, exampleToken: string): Promise<void> {
    const { session, agent, offer } = await this.#onConversation(agentName, exampleToken);
    const from = session.guest.log.mark();
    await agent.end(offer);
    await session.guest.pushed(outboundEvent('Presence', 'Disconnect'), 'Presence Disconnect', from);
  }

  async expire(exampleToken: string): Promise<void> {
    const session = this.#session(exampleToken);
    await this.#world.advanceClock((session.durationSeconds + 1) * 1000);
    await session.guest.pushed((f) => f['class'] === 'SessionExpiredEvent', 'SessionExpiredEvent');
  }

  /** Two messages at once: Genesys allows two per second, so the next one is over the limit. */
  async spendRate(exampleToken: string): Promise<void> {
    const session = this.#session(exampleToken);
    await echoed(session.guest.say(session.token, 'First message.'));
    await echoed(session.guest.say(session.token, 'Second message.'));
    session.conversationStarted = true;
  }

  /** Opens further connections for the session until Genesys refuses one. */
  async refuseConnection(exampleToken: string): Promise<void> {
    const session = this.#session(exampleToken);
    for (let attempt = 0; attempt < CONNECTION_ATTEMPTS; attempt++) {
      const guest = await this.#connect();
      guest.log.send({
        action: 'configureSession',
        token: session.token,
        deploymentId: guest.deploymentId,
        tracingId: `verifier-connection-${attempt}`,
      });
      const answer = await guest.pushed(
        (f) => f['class'] === 'ConnectionClosedEvent' || f['class'] === 'SessionResponse',
        'SessionResponse or ConnectionClosedEvent',
      );
      if (answer['class'] === 'ConnectionClosedEvent') {
        this.#refused = guest;
        return;
      }
    }
    throw new Error(`Genesys accepted ${CONNECTION_ATTEMPTS} more connections for one session`);
  }

  async historyJwt(exampleToken: string): Promise<string> {
    const session = this.#session(exampleToken);
    const reply = await session.guest.ask(session.token, { action: 'getJwt' });
    if (reply['class'] !== 'JwtResponse') throw new Error(`getJwt failed: ${JSON.stringify(reply)}`);
    return String((reply['body'] as Json)['jwt']);
  }

  /**
   * The bridge's request frame from the pact, sent as the bridge would: configureSession on a new
   * connection (the bridge reconnects with one), anything else on the session's connection. The token
   * and deployment become this world's; the reply is what Genesys answered.
   */
  async replay(request: Json): Promise<Json> {
    const exampleToken = String(request['token']);
    const frame: Json = { ...request, token: this.#world.guestToken(exampleToken) };
    if (frame['deploymentId'] !== undefined) frame['deploymentId'] = this.#requireDeployment().deploymentId;
    if (frame['action'] === 'configureSession') return (await this.#connect()).request(frame);
    const session = this.#session(exampleToken);
    // A text starts a conversation when none is open: close() must end it.
    if ((frame['message'] as Json | undefined)?.['type'] === 'Text') session.conversationStarted = true;
    return session.guest.request(frame);
  }

  /** A frame Genesys pushed to the (only) session of this interaction. */
  pushed(match: (frame: Json) => boolean, description: string): Promise<Json> {
    const [session] = this.#sessions.values();
    if (!session) throw new Error('no guest session was set up for this interaction');
    return session.guest.pushed(match, description);
  }

  /** What Genesys told the connection it refused. */
  refusal(): Promise<Json> {
    if (!this.#refused) throw new Error('no connection was refused in this interaction');
    return this.#refused.pushed((f) => f['class'] === 'ConnectionClosedEvent', 'ConnectionClosedEvent');
  }

  /**
   * Ends what the interaction started before closing its sockets. The emulator world resets anyway, but a
   * real org keeps conversations: one left open holds the agent's capacity, one left waiting in the queue
   * would be offered in the next interaction. Presence Clear ends it from the guest's side; a refusal
   * (Conversation Clear disabled, rate limit, session expired) is left to the agent going off queue.
   */
  async close(): Promise<void> {
    for (const session of this.#sessions.values()) {
      const { guest } = session;
      if (!session.conversationStarted || guest.log.socket.readyState !== guest.log.socket.OPEN) continue;
      const reply = await this.#clear(session).catch(() => undefined);
      // The interaction may have spent the rate limit (that is what one of them is about): wait it out once.
      const retryAfter = (reply?.['body'] as Json | undefined)?.['retryAfter'];
      if (reply?.['class'] === 'TooManyRequestsErrorMessage' && typeof retryAfter === 'number') {
        await this.#world.pause(retryAfter * 1000);
        await this.#clear(session).catch(() => undefined);
      }
    }
    await Promise.all(this.#guests.map((g) => g.close()));
  }

  #clear(session: Session): Promise<Json> {
    return session.guest.ask(session.token, {
      action: 'onMessage',
      message: { type: 'Event', events: [{ eventType: 'Presence', presence: { type: 'Clear' } }] },
    });
  }

  async #connect(): Promise<MessagingGuest> {
    const { deploymentId } = this.#requireDeployment();
    const guest = await MessagingGuest.connect(this.#world.webMessagingUrl, deploymentId, this.#world.origin);
    this.#guests.push(guest);
    return guest;
  }

  #requireDeployment(): MessengerSetup {
    if (!this.#deployment) throw new Error('no Messenger deployment state came before this one');
    return this.#deployment;
  }

  #session(exampleToken: string): Session {
    const session = this.#sessions.get(exampleToken);
    if (!session) throw new Error(`guest session ${exampleToken} was not configured by an earlier state`);
    return session;
  }

  async #onConversation(agentName: string, exampleToken: string) {
    const session = this.#session(exampleToken);
    if (!session.offer) throw new Error(`agent ${agentName} has not answered guest session ${exampleToken}`);
    return { session, agent: await this.#agents.get(agentName), offer: session.offer };
  }
}

async function echoed(reply: Promise<Json>): Promise<void> {
  const frame = await reply;
  if (frame['class'] !== 'StructuredMessage')
    throw new Error(`the guest message was refused: ${JSON.stringify(frame)}`);
}
