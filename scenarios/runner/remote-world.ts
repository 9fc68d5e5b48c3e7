import { type Bridge, parseLoginUrl } from '../../bridge/index.ts';
import { type DomainEvent, type Fixture, PlatformClient, type ReproPack } from '../../emulator/index.ts';
import { ActivityProbe } from './activity.ts';
import { scenarioBridge } from './bridge-setup.ts';
import { ControlPlane, type TargetClock } from './control-plane.ts';
import { describeEmulatorEvent, fixtureNames, type OrgNames } from './describe-event.ts';
import { observeBridge } from './observe-bridge.ts';
import { LockstepTime, RealTime, type RemoteTime } from './remote-time.ts';
import { Transcript } from './transcript.ts';
import { WebhookFront } from './webhook-front.ts';
import { conversationFromWire, type WireConversation } from './wire-conversation.ts';
import {
  type BridgeOptions,
  type Capabilities,
  type ConversationView,
  type PlatformHosts,
  type ScenarioChannel,
  StepSkipped,
  type World,
} from './world.ts';

export interface RemoteWorldOptions extends BridgeOptions {
  /** Another emulator (`http://127.0.0.1:PORT`) or a real Genesys login URL. */
  target: string;
  /** The scenario's own fixture, loaded into the target through its control plane. */
  fixture?: Fixture;
  /** The org described as a fixture (`--target-fixture`), for a target without a control plane. */
  targetFixture?: Fixture;
}

/**
 * A run against a Genesys the runner did not start (`--target`): the bridge points at it and the
 * runner uses whatever it offers. An emulator with a control plane is reset (and given the scenario's
 * fixture) first, its timeline is polled, and a manual clock moves in lockstep with the bridge's.
 * A real org offers only the public API: its org comes from `--target-fixture`, time is real, and
 * steps that need more are skipped by the runner.
 */
export class RemoteWorld implements World {
  readonly transcript: Transcript;
  readonly timeline: DomainEvent[] = [];
  readonly bridge: Bridge;
  webhook?: WebhookFront;
  readonly #controlPlane: ControlPlane | undefined;
  readonly #probe = new ActivityProbe();
  readonly #time: RemoteTime;
  readonly #names: OrgNames;
  #afterSeq: number;
  #observer: PlatformClient | undefined;
  /** The target's own org, put back on close after a run that loaded the scenario's fixture. */
  #restore: Fixture | undefined;

  private constructor(
    readonly baseUrl: string,
    readonly hosts: PlatformHosts,
    readonly capabilities: Capabilities,
    readonly fixture: Fixture | undefined,
    readonly channel: ScenarioChannel,
    target: {
      url: string;
      clock?: TargetClock;
      controlPlane?: ControlPlane;
      afterSeq: number;
      restore?: Fixture;
    },
    options: BridgeOptions,
  ) {
    this.#controlPlane = target.controlPlane;
    this.#afterSeq = target.afterSeq;
    this.#restore = target.restore;
    this.#names = fixtureNames(fixture);
    const poll = () => this.#poll();
    this.#time =
      target.controlPlane && target.clock?.kind === 'manual'
        ? new LockstepTime(target.clock.now, target.controlPlane, this.#probe, poll)
        : new RealTime(this.#probe, poll);
    this.transcript = new Transcript(() => this.#time.now());
    this.bridge = scenarioBridge(target.url, fixture, options, {
      clock: this.#time.clock,
      socketFactory: this.#probe.socketFactory,
      fetch: this.#probe.fetch,
    });
    observeBridge(this.bridge, this.transcript, this.#probe);
  }

  static async create(options: RemoteWorldOptions): Promise<RemoteWorld> {
    const parsed = parseLoginUrl(options.target);
    if (!parsed.ok)
      throw new Error(`--target ${options.target} is neither a Genesys login URL nor a loopback emulator`);
    const hosts = parsed.hosts;
    // The runner hosts the bridge's webhook receiver on loopback: a real org cannot reach it.
    if (options.channel === 'openmessaging' && hosts.target !== 'emulator')
      throw new Error(
        'openmessaging runs need a target that can reach the runner on 127.0.0.1 (an emulator): a real org posts to a public webhook URL',
      );
    // A real Genesys has no control plane; only an emulator is asked.
    const clock = hosts.target === 'emulator' ? await ControlPlane.probe(hosts.loginBase) : undefined;
    const controlPlane = clock ? new ControlPlane(hosts.loginBase) : undefined;
    let fixture = options.targetFixture;
    let afterSeq = 0;
    let restore: Fixture | undefined;
    if (controlPlane) {
      // Loading a fixture resets the target too; either way the run starts from a clean org.
      if (options.fixture) {
        restore = await controlPlane.fixture();
        await controlPlane.loadFixture(options.fixture);
      } else await controlPlane.reset();
      fixture = await controlPlane.fixture();
      // Only what happens from here on belongs to this run.
      afterSeq = (await controlPlane.events(Number.MAX_SAFE_INTEGER)).lastSeq;
    }
    const capabilities: Capabilities = {
      controlPlane: controlPlane !== undefined,
      manualClock: controlPlane !== undefined && clock?.kind === 'manual',
      agents: fixture?.clients.some((c) => c.user !== undefined) ?? false,
    };
    let world: RemoteWorld;
    try {
      world = new RemoteWorld(
        hosts.loginBase,
        hosts,
        capabilities,
        fixture,
        options.channel,
        {
          url: options.target,
          ...(clock ? { clock } : {}),
          ...(controlPlane ? { controlPlane } : {}),
          afterSeq,
          ...(restore ? { restore } : {}),
        },
        options,
      );
    } catch (e) {
      if (restore) await controlPlane?.loadFixture(restore);
      throw e;
    }
    world.transcript.add('runner', describeTarget(options, clock, capabilities));
    if (options.channel === 'openmessaging') {
      world.webhook = new WebhookFront(world.bridge, world.#time.clock, world.#probe, (line) =>
        world.transcript.add('runner', line),
      );
      try {
        await world.webhook.start(hosts, fixture);
      } catch (e) {
        await world.close();
        throw e;
      }
    }
    return world;
  }

  /** New timeline entries from the target become transcript lines, as the in-process world's do. */
  async #poll(): Promise<number> {
    if (!this.#controlPlane) return 0;
    const { entities } = await this.#controlPlane.events(this.#afterSeq);
    for (const event of entities) {
      this.#afterSeq = Math.max(this.#afterSeq, event.seq);
      this.timeline.push(event);
      const text = describeEmulatorEvent(event, this.#names);
      if (text) this.transcript.add('emulator', text, event.data);
    }
    this.#probe.count += entities.length;
    return entities.length;
  }

  now(): number {
    return this.#time.now();
  }

  settle(): Promise<void> {
    return this.#time.settle();
  }

  async catchUp(): Promise<void> {
    await this.#poll();
  }

  waitFor<T>(
    what: string,
    withinMs: number,
    check: () => T | undefined | Promise<T | undefined>,
  ): Promise<T> {
    return this.#time.waitFor(what, withinMs, check);
  }

  advance(ms: number): Promise<void> {
    return this.#time.advance(ms);
  }

  /**
   * Reads the conversation through the platform API, as an org-level client when the fixture has one
   * (any token may read a conversation), else as the first agent.
   */
  async conversation(id: string): Promise<ConversationView | undefined> {
    if (!this.#observer) {
      const clients = this.fixture?.clients ?? [];
      const client = clients.find((c) => c.user === undefined) ?? clients[0];
      if (!client) throw new StepSkipped('needs agent credentials (--target-fixture)');
      this.#observer = new PlatformClient(`observer (${client.name})`, this.hosts, client);
    }
    const wire = await this.#observer.find(`/api/v2/conversations/${encodeURIComponent(id)}`);
    return wire === undefined ? undefined : conversationFromWire(wire as WireConversation);
  }

  async reproPack(): Promise<ReproPack | undefined> {
    return this.#controlPlane?.reproPack();
  }

  async sequence(conversationId: string): Promise<string | undefined> {
    return this.#controlPlane?.sequence(conversationId);
  }

  async waitingIn(queueName: string): Promise<string[] | undefined> {
    if (!this.#controlPlane) throw new StepSkipped('needs the control plane');
    const queues = this.fixture?.queues ?? [];
    // The emulator matches queue names regardless of case by default (its queueNameMatch switch).
    const queue =
      queues.find((q) => q.name === queueName) ??
      queues.find((q) => q.name.toLowerCase() === queueName.toLowerCase());
    return queue ? this.#controlPlane.waiting(queue.id) : undefined;
  }

  async close(): Promise<void> {
    await this.bridge.close().catch(() => {});
    await this.webhook?.close();
    // Put back the target's own org, so the next run (or whoever uses the target) finds it as it was.
    if (this.#restore) await this.#controlPlane?.loadFixture(this.#restore);
  }
}

/** The transcript's first line: what the target offers this run. */
function describeTarget(
  options: RemoteWorldOptions,
  clock: TargetClock | undefined,
  capabilities: Capabilities,
): string {
  const parts = [
    clock ? `control plane, ${clock.kind} clock` : 'no control plane',
    capabilities.agents ? 'agent credentials' : 'no agent credentials',
    ...(clock && options.fixture ? [`scenario fixture loaded (org ${options.fixture.org.id})`] : []),
    // The control plane says what the org is; a file cannot override it.
    ...(clock && options.targetFixture ? ['--target-fixture ignored'] : []),
  ];
  return `target ${options.target}: ${parts.join(', ')}`;
}
