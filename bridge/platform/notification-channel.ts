import { NotificationChannelSchema } from '../channels/openmessaging-wire.ts';
import { Reconnector, type ReconnectTimings } from '../channels/reconnector.ts';
import type { GuestSocket, SocketFactory } from '../channels/socket.ts';
import type { Clock } from '../clock.ts';
import { BridgeFailure, failure } from '../errors.ts';
import { type PlatformClient, platformCallError } from './platform-client.ts';

/**
 * One Platform API notification channel (platform-architect.md §3.4): created with `POST
 * /api/v2/notifications/channels`, its WebSocket opened at `connectUri`, then the topics subscribed with
 * `PUT .../subscriptions` (events reach only a connected channel, so nothing is missed between the two).
 * A socket that closes (Genesys closes channels after about 24 h, a network drop) is replaced by a new
 * channel with the same topics, with backoff, for as long as the channel is wanted; `reconnected` then
 * lets the owner read what it may have missed.
 */
export interface NotificationChannelOptions {
  platform: PlatformClient;
  socketFactory: SocketFactory;
  clock: Clock;
  random: () => number;
  timings: ReconnectTimings;
  origin?: string;
  /** The topics to subscribe, read each time a channel is made. */
  topics: () => Promise<string[]>;
  onFrame: (text: string) => void;
  reconnected: () => void;
  /** A reconnect that keeps failing is reported here (and tried again). */
  onError: (error: ReturnType<typeof platformCallError>) => void;
}

/** Genesys allows 1,000 topics per channel. */
export const MAX_TOPICS = 1000;

export class NotificationChannel {
  readonly #options: NotificationChannelOptions;
  readonly #reconnector: Reconnector;
  #socket: GuestSocket | undefined;
  #connection = 0;
  #closed = false;

  constructor(options: NotificationChannelOptions) {
    this.#options = options;
    this.#reconnector = new Reconnector(
      options.clock,
      options.timings,
      options.random,
      () => this.#connect().then(() => options.reconnected()),
      () => {
        options.onError(
          failure(
            'PROVIDER_UNAVAILABLE',
            'the Platform API notification channel could not be reopened; still trying',
            {
              retryable: true,
            },
          ).error,
        );
        if (!this.#closed) this.#reconnector.start();
      },
    );
  }

  /** Creates the channel, connects and subscribes; rejects with a BridgeFailure. */
  start(): Promise<void> {
    return this.#connect();
  }

  close(): void {
    this.#closed = true;
    this.#reconnector.stop();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connection++;
    socket?.close();
  }

  async #connect(): Promise<void> {
    const { platform } = this.#options;
    const created = await platform.request({
      method: 'POST',
      path: '/api/v2/notifications/channels',
      retry: 'refusalsOnly',
    });
    if (created.status !== 200)
      throw new BridgeFailure(platformCallError('creating a notification channel', created));
    const body = NotificationChannelSchema.safeParse(created.body);
    if (!body.success)
      throw failure(
        'PROVIDER_UNAVAILABLE',
        'Genesys answered the notification channel without id or connectUri',
      );
    const channelId = body.data.id;
    await this.#open(body.data.connectUri);
    const topics = (await this.#options.topics()).slice(0, MAX_TOPICS);
    const subscribed = await platform.request({
      method: 'PUT',
      path: `/api/v2/notifications/channels/${encodeURIComponent(channelId)}/subscriptions`,
      body: topics.map((id) => ({ id })),
      retry: 'idempotent',
    });
    if (subscribed.status !== 200) {
      this.#dropSocket();
      throw new BridgeFailure(platformCallError('subscribing to notifications', subscribed));
    }
  }

  #open(connectUri: string): Promise<void> {
    this.#dropSocket();
    const connection = ++this.#connection;
    const current = () => connection === this.#connection;
    const { origin } = this.#options;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      this.#socket = this.#options.socketFactory(connectUri, origin ? { Origin: origin } : {}, {
        open: () => {
          if (!current() || settled) return;
          settled = true;
          resolve();
        },
        message: (text) => {
          if (current()) this.#options.onFrame(text);
        },
        close: () => {
          if (!current()) return;
          this.#socket = undefined;
          if (!settled) {
            settled = true;
            reject(failure('PROVIDER_UNAVAILABLE', 'the notification socket closed', { retryable: true }));
            return;
          }
          if (!this.#closed) this.#reconnector.start();
        },
        error: (error) => {
          if (!current() || settled) return;
          settled = true;
          reject(
            failure('PROVIDER_UNAVAILABLE', `the notification socket failed: ${error.message}`, {
              retryable: true,
            }),
          );
        },
      });
    });
  }

  #dropSocket(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connection++;
    socket?.close();
  }
}
