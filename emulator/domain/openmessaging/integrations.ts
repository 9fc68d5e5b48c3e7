import type { FixtureOpenIntegration } from '../../config/fixture-schema.ts';
import type { TimerHandle } from '../clock.ts';
import type { DomainContext } from '../context.ts';
import { ApiError, errors } from '../errors.ts';
import './events.ts';

/**
 * Open Messaging integrations (platform-extra.md §1.1) and their message routing recipient (§1.2): the
 * fixture's integrations, plus those created through the API, in the store so a reset puts the fixture's
 * back as they were and forgets the rest. Creation is asynchronous in Genesys: an integration is
 * `Initiated` when created and `Completed` CREATE_DELAY_MS later on the emulator clock (UNCONFIRMED how
 * long Genesys takes; clients poll until Completed). The recipient's id is the integration's id
 * (UNCONFIRMED, §1.2); its flow is the inbound message flow a new conversation runs.
 */
export interface OpenIntegrationRecord {
  id: string;
  name: string;
  webhookUrl: string;
  secret: string;
  webhookHeaders: Record<string, string>;
  supportedContentId?: string;
  messagingSettingId?: string;
  /** The inbound message flow (by name) its recipient runs; none until one is attached. */
  flow?: string;
  createStatus: 'Initiated' | 'Completed';
  createdAt: number;
  modifiedAt: number;
  /** The user (agent login) or OAuth client that created or last changed it; absent for the fixture's. */
  createdBy?: string;
  modifiedBy?: string;
  recipientModifiedAt: number;
  recipientModifiedBy?: string;
}

/** Emulator time between creating an integration and its createStatus turning Completed. */
export const CREATE_DELAY_MS = 1000;

export interface NewIntegration {
  id?: string;
  name: string;
  webhookUrl: string;
  secret: string;
  webhookHeaders?: Record<string, string>;
  supportedContentId?: string;
  messagingSettingId?: string;
}

export type IntegrationChanges = Partial<Omit<NewIntegration, 'id'>>;

const TABLE = 'openmessaging.integrations';
const SEEDED = 'openmessaging.seeded';

export class OpenIntegrations {
  readonly #ctx: DomainContext;
  readonly #timers = new Set<TimerHandle>();

  constructor(ctx: DomainContext) {
    this.#ctx = ctx;
  }

  /** Every integration, oldest first (the fixture's, then those created since). */
  list(): OpenIntegrationRecord[] {
    return [...this.#table().values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  find(id: string): OpenIntegrationRecord | undefined {
    return this.#table().get(id);
  }

  get(id: string): OpenIntegrationRecord {
    const found = this.find(id);
    if (!found) throw errors.notFound(`Open Messaging integration ${id}`, { entityId: id });
    return found;
  }

  /** Creates it `Initiated`; it completes CREATE_DELAY_MS later. A taken id or name changes nothing. */
  create(input: NewIntegration, by: string | undefined): OpenIntegrationRecord {
    const ctx = this.#ctx;
    const table = this.#table();
    if (input.id !== undefined && table.has(input.id))
      throw errors.conflict(`An Open Messaging integration with id ${input.id} already exists.`);
    this.#assertNameFree(input.name);
    const now = ctx.clock.now();
    const record: OpenIntegrationRecord = {
      id: input.id ?? ctx.ids.uuid(),
      name: input.name,
      webhookUrl: input.webhookUrl,
      secret: input.secret,
      webhookHeaders: { ...(input.webhookHeaders ?? {}) },
      ...(input.supportedContentId === undefined ? {} : { supportedContentId: input.supportedContentId }),
      ...(input.messagingSettingId === undefined ? {} : { messagingSettingId: input.messagingSettingId }),
      createStatus: 'Initiated',
      createdAt: now,
      modifiedAt: now,
      recipientModifiedAt: now,
      ...(by === undefined ? {} : { createdBy: by, modifiedBy: by, recipientModifiedBy: by }),
    };
    table.set(record.id, record);
    ctx.events.emit('openmessaging.integration.created', { integrationId: record.id, name: record.name });
    this.#completeLater(record.id, CREATE_DELAY_MS);
    return record;
  }

  /** After a restore from a data dir: the creations still Initiated complete when they were due. */
  restored(): void {
    const now = this.#ctx.clock.now();
    // The table as restored, not list(): a first look seeds the fixture's integrations, which would make
    // the restored state differ from the one that was live (data dir, repro pack).
    for (const record of this.#ctx.store.table<OpenIntegrationRecord>(TABLE).values()) {
      if (record.createStatus === 'Initiated')
        this.#completeLater(record.id, Math.max(0, record.createdAt + CREATE_DELAY_MS - now));
    }
  }

  #completeLater(id: string, delayMs: number): void {
    const ctx = this.#ctx;
    const timer = ctx.clock.setTimeout(() => {
      this.#timers.delete(timer);
      // A reset or a delete in between leaves nothing to complete.
      const record = this.#table().get(id);
      if (!record || record.createStatus === 'Completed') return;
      record.createStatus = 'Completed';
      ctx.events.emit('openmessaging.integration.completed', { integrationId: id });
    }, delayMs);
    this.#timers.add(timer);
  }

  update(id: string, changes: IntegrationChanges, by: string | undefined): OpenIntegrationRecord {
    const record = this.get(id);
    if (changes.name !== undefined && changes.name !== record.name) this.#assertNameFree(changes.name);
    const changed: string[] = [];
    const set = <K extends keyof IntegrationChanges>(key: K, field: keyof OpenIntegrationRecord) => {
      const value = changes[key];
      if (value === undefined) return;
      (record as unknown as Record<string, unknown>)[field] =
        typeof value === 'object' ? { ...value } : value;
      changed.push(field);
    };
    set('name', 'name');
    set('webhookUrl', 'webhookUrl');
    set('secret', 'secret');
    set('webhookHeaders', 'webhookHeaders');
    set('supportedContentId', 'supportedContentId');
    set('messagingSettingId', 'messagingSettingId');
    record.modifiedAt = this.#ctx.clock.now();
    if (by !== undefined) record.modifiedBy = by;
    this.#ctx.events.emit('openmessaging.integration.updated', { integrationId: id, fields: changed });
    return record;
  }

  delete(id: string): void {
    this.get(id);
    this.#table().delete(id);
    this.#ctx.events.emit('openmessaging.integration.deleted', { integrationId: id });
  }

  /** PUT recipient: attaches the inbound message flow (by name) a new conversation runs. */
  attachFlow(id: string, flow: string, by: string | undefined): OpenIntegrationRecord {
    const record = this.get(id);
    record.flow = flow;
    record.recipientModifiedAt = this.#ctx.clock.now();
    if (by !== undefined) record.recipientModifiedBy = by;
    this.#ctx.events.emit('openmessaging.recipient.updated', { integrationId: id, flow });
    return record;
  }

  /** A reset forgets the pending completions (the store forgets the records). */
  reset(): void {
    for (const timer of this.#timers) this.#ctx.clock.clearTimeout(timer);
    this.#timers.clear();
  }

  #assertNameFree(name: string): void {
    const folded = name.trim().toLowerCase();
    if (this.list().some((r) => r.name.trim().toLowerCase() === folded)) {
      throw new ApiError(400, 'bad.request', `An Open Messaging integration named ${name} already exists.`, {
        entityName: name,
      });
    }
  }

  /** The table, holding the fixture's integrations from the first look after a load or reset. */
  #table() {
    const ctx = this.#ctx;
    const table = ctx.store.table<OpenIntegrationRecord>(TABLE);
    const seeded = ctx.store.table<true>(SEEDED);
    if (!seeded.has('fixture')) {
      seeded.set('fixture', true);
      const now = ctx.clock.now();
      for (const integration of ctx.org().fixture.openMessaging)
        table.set(integration.id, fromFixture(integration, now));
    }
    return table;
  }
}

/** The fixture's integrations exist from the start (from the org's load or reset), already Completed. */
function fromFixture(integration: FixtureOpenIntegration, now: number): OpenIntegrationRecord {
  return {
    id: integration.id,
    name: integration.name,
    webhookUrl: integration.webhookUrl,
    secret: integration.secret,
    webhookHeaders: { ...(integration.webhookHeaders ?? {}) },
    flow: integration.flow,
    createStatus: 'Completed',
    createdAt: now,
    modifiedAt: now,
    recipientModifiedAt: now,
  };
}
