import type { TimerHandle } from '../../domain/clock.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import type { WebhookHttp } from './webhook-http.ts';
import { ANSWER_WINDOW_MS, nextStep } from './webhook-retry-policy.ts';
import { hubSignature, SIGNATURE_HEADER } from './webhook-signature.ts';

/** One body for an integration's webhook. */
export interface Delivery {
  integrationId: string;
  kind: 'message' | 'typing' | 'disconnect';
  /** The body's id (the Genesys message id for messages). */
  id: string;
  /** The conversation core's message, for a message: its status follows a delivery that gives up. */
  messageId?: string;
  body: unknown;
}

interface Pending extends Delivery {
  bytes: Buffer;
  attempt: number;
}

/**
 * Webhook deliveries (platform-extra.md §1.5): per conversation in order (the next waits until the one
 * before is delivered or given up), each attempt signed over the exact bytes sent with the integration's
 * current secret and sent with its `webhookHeaders`, retried as webhook-retry-policy.ts says, on the
 * emulator's clock. Every attempt is on the timeline; a message whose delivery gives up becomes
 * `delivery-failed`. A delivery in flight counts as activity, so waits on a manual clock do not move
 * time under a receiver that is still answering.
 */
export class WebhookDeliveries {
  readonly #queues = new Map<string, Pending[]>();
  readonly #timers = new Set<TimerHandle>();
  /** Bumped by a reset: late results of an older generation are dropped. */
  #generation = 0;

  constructor(
    private readonly runtime: EmulatorRuntime,
    private readonly http: WebhookHttp,
  ) {}

  enqueue(conversationId: string, delivery: Delivery): void {
    const pending: Pending = { ...delivery, bytes: Buffer.from(JSON.stringify(delivery.body)), attempt: 0 };
    const queue = this.#queues.get(conversationId);
    if (queue) {
      queue.push(pending);
      return;
    }
    this.#queues.set(conversationId, [pending]);
    void this.#attempt(conversationId, pending, this.#generation);
  }

  reset(): void {
    this.#generation++;
    for (const timer of this.#timers) this.runtime.clock.clearTimeout(timer);
    this.#timers.clear();
    this.#queues.clear();
    this.http.abortAll();
  }

  async #attempt(conversationId: string, pending: Pending, generation: number): Promise<void> {
    const { runtime } = this;
    pending.attempt++;
    const integration = runtime.openIntegrations.find(pending.integrationId);
    if (!integration) {
      this.#record(conversationId, pending, 'failed', { error: 'the integration was deleted' });
      this.#settled(conversationId, pending, 'the integration was deleted');
      return;
    }
    const headers = {
      ...integration.webhookHeaders,
      'Content-Type': 'application/json',
      [SIGNATURE_HEADER]: hubSignature(integration.secret, pending.bytes),
    };
    const result = await runtime.activity.during(() =>
      this.http.post(integration.webhookUrl, pending.bytes, headers, ANSWER_WINDOW_MS),
    );
    if (generation !== this.#generation) return;
    const step = nextStep(result, pending.attempt);
    // The URL is not recorded: a receiver's port differs from run to run, and transcripts must not.
    this.#record(conversationId, pending, step.outcome, {
      ...(result.kind === 'answered' ? { status: result.status } : {}),
      ...(result.kind === 'timeout' ? { error: 'timeout' } : {}),
      ...(result.kind === 'network' ? { error: result.message } : {}),
    });
    if (step.outcome === 'retrying') {
      const timer = runtime.clock.setTimeout(() => {
        this.#timers.delete(timer);
        void this.#attempt(conversationId, pending, generation);
      }, step.delayMs);
      this.#timers.add(timer);
      return;
    }
    this.#settled(conversationId, pending, step.outcome === 'failed' ? step.reason : undefined);
  }

  /** The head delivery is done (failed when `failure` is given): the conversation's next one goes. */
  #settled(conversationId: string, pending: Pending, failure: string | undefined): void {
    if (failure !== undefined && pending.messageId !== undefined)
      this.runtime.conversations.messageFailed(conversationId, pending.messageId, `webhook ${failure}`);
    const queue = this.#queues.get(conversationId);
    queue?.shift();
    const next = queue?.[0];
    if (!next) {
      this.#queues.delete(conversationId);
      return;
    }
    void this.#attempt(conversationId, next, this.#generation);
  }

  #record(
    conversationId: string,
    pending: Pending,
    outcome: 'delivered' | 'retrying' | 'failed',
    detail: { status?: number; error?: string },
  ): void {
    this.runtime.events.emit(
      'openmessaging.webhook.attempt',
      {
        integrationId: pending.integrationId,
        id: pending.id,
        kind: pending.kind,
        attempt: pending.attempt,
        outcome,
        ...detail,
      },
      conversationId,
    );
  }
}
