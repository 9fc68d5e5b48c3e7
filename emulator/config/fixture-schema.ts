import { z } from 'zod';
import { webhookHeadersSchema } from '../domain/openmessaging/webhook-headers.ts';

/**
 * The fixture file: the org the emulator plays. Validated once at load; every reference between
 * sections (a client's user, a user's queues, a deployment's flow) is checked here so a mistake stops
 * start-up with the path of the bad field instead of surfacing later as a routing mystery.
 */

const id = z.string().trim().min(1).max(128);
const name = z.string().trim().min(1).max(256);

/** Utilization allows 0-25 per media type (platform-architect.md §2.4). */
const capacityValue = z.number().int().min(0).max(25);

export const OrgSchema = z.strictObject({
  id,
  name,
  /** The Genesys domain the org lives in, e.g. mypurecloud.com or euw2.pure.cloud. */
  region: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a Genesys domain such as mypurecloud.com')
    .default('mypurecloud.com'),
});

export const ClientSchema = z.strictObject({
  id,
  secret: z.string().min(1).max(256),
  name,
  /** Tokens of this client act as this user (stands in for an agent's interactive login). */
  user: id.optional(),
  /** OAuth clients default to 24 h and allow 5 min to 48 h (platform-architect.md §1.1). */
  accessTokenValiditySeconds: z.number().int().min(300).max(172800).default(86400),
});

export const UserSchema = z.strictObject({
  id,
  name,
  email: z.email(),
  queues: z.array(name).default([]),
  /** Agent-level utilization; a media type left out follows the org level (Genesys defaults: 1 message, 4 chats). */
  capacity: z.strictObject({ message: capacityValue.optional(), chat: capacityValue.optional() }).default({}),
  skills: z.array(name).default([]),
});

export const QueueSchema = z.strictObject({
  id,
  name: name.refine((n) => !n.includes('*'), 'queue names cannot contain *'),
  description: z.string().max(1024).optional(),
  /** Genesys enforces >= 7; 30 s is the common digital default (UNCONFIRMED, platform-architect.md §2.5). */
  alertingTimeoutSeconds: z.number().int().min(7).max(900).default(30),
  skills: z.array(name).default([]),
  /** Names of the wrap-up codes assigned to the queue (from `wrapupCodes`); every code when absent. */
  wrapupCodes: z.array(name).optional(),
});

/** The wrap-up codes a fixture without `wrapupCodes` gets (the embedded org lists the same ones). */
export const DEFAULT_WRAPUP_CODE_NAMES = ['Resolved', 'Not resolved', 'Follow-up required', 'Customer left'];

/** A wrap-up code; without an id, a stable one is derived from the org and the name. */
export const WrapupCodeSchema = z.strictObject({
  id: id.optional(),
  name,
  description: z.string().max(1024).optional(),
});

export const FlowSchema = z
  .strictObject({
    name,
    type: z.enum(['inboundShortMessage', 'inboundChat']),
    /** Path of an Archy YAML file, relative to the fixture file. */
    file: z.string().min(1).optional(),
    /** Archy YAML inline. */
    yaml: z.string().min(1).optional(),
    /** `{{key}}` substitutions applied before parsing, as terraform's genesyscloud_flow does. */
    substitutions: z.record(z.string(), z.string()).default({}),
  })
  .refine((f) => (f.file === undefined) !== (f.yaml === undefined), {
    message: 'a flow needs exactly one of file or yaml',
  });

const domains = z.array(z.string().min(1)).default([]);

export const WebChatDeploymentSchema = z.strictObject({
  id,
  name: name.optional(),
  /** Name of an inboundChat flow; without one the guest's routingTarget queue is used. */
  flow: name.optional(),
  allowedDomains: domains,
  disabled: z.boolean().default(false),
  authenticationRequired: z.boolean().default(false),
});

export const MessengerDeploymentSchema = z.strictObject({
  id,
  name: name.optional(),
  /** Name of the inboundShortMessage flow every new conversation runs. */
  flow: name,
  allowedDomains: domains,
  allowAllDomains: z.boolean().default(false),
  status: z.enum(['Pending', 'Active', 'Inactive', 'Error', 'Deleting']).default('Active'),
  conversationDisconnect: z
    .strictObject({ enabled: z.boolean().default(false), type: z.enum(['Send', 'ReadOnly']).default('Send') })
    .default({ enabled: false, type: 'Send' }),
  /** Messenger configuration's sessionDurationSeconds (UNCONFIRMED default). */
  sessionDurationSeconds: z.number().int().min(60).max(2_592_000).optional(),
});

/**
 * Open Messaging integrations that exist when the org loads (platform-extra.md §1.1): Genesys requires a
 * signature secret longer than 15 characters; the webhook URL must be http(s) (Genesys's UI also wants
 * https on port 443, which a local receiver cannot offer, so the emulator does not insist on it).
 */
export const OpenMessagingIntegrationSchema = z.strictObject({
  id,
  name,
  webhookUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. https://bot.example/genesys' }),
  secret: z.string().min(16, 'Genesys requires a secret longer than 15 characters').max(256),
  /** Name of the inboundShortMessage flow its message routing (recipient) runs. */
  flow: name,
  /** Extra headers sent with every webhook delivery. */
  webhookHeaders: webhookHeadersSchema.optional(),
});

export const FixtureSchema = z
  .strictObject({
    org: OrgSchema,
    clients: z.array(ClientSchema).default([]),
    users: z.array(UserSchema).default([]),
    queues: z.array(QueueSchema).default([]),
    flows: z.array(FlowSchema).default([]),
    wrapupCodes: z.array(WrapupCodeSchema).default(() => DEFAULT_WRAPUP_CODE_NAMES.map((n) => ({ name: n }))),
    deployments: z
      .strictObject({
        webchat: z.array(WebChatDeploymentSchema).default([]),
        messenger: z.array(MessengerDeploymentSchema).default([]),
      })
      .default({ webchat: [], messenger: [] }),
    openMessaging: z.array(OpenMessagingIntegrationSchema).default([]),
  })
  .superRefine((fx, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const unique = <T>(list: T[], key: (t: T) => string, section: string, field: string, fold = false) => {
      const seen = new Set<string>();
      list.forEach((item, i) => {
        const k = fold ? key(item).toLowerCase() : key(item);
        if (seen.has(k)) issue([section, i, field], `duplicate ${field} "${key(item)}"`);
        seen.add(k);
      });
    };
    unique(fx.clients, (c) => c.id, 'clients', 'id');
    unique(fx.users, (u) => u.id, 'users', 'id');
    unique(fx.queues, (q) => q.id, 'queues', 'id');
    // Queue names are matched case-insensitively by default (FindQueue), so they must differ beyond case.
    unique(fx.queues, (q) => q.name, 'queues', 'name', true);
    unique(fx.flows, (f) => f.name, 'flows', 'name');
    unique(fx.wrapupCodes, (w) => w.name, 'wrapupCodes', 'name', true);
    const codeIds = new Set<string>();
    fx.wrapupCodes.forEach((w, i) => {
      if (w.id === undefined) return;
      if (codeIds.has(w.id)) issue(['wrapupCodes', i, 'id'], `duplicate id "${w.id}"`);
      codeIds.add(w.id);
    });

    const queueNames = new Set(fx.queues.map((q) => q.name));
    const userIds = new Set(fx.users.map((u) => u.id));
    fx.users.forEach((u, i) => {
      u.queues.forEach((q, j) => {
        if (!queueNames.has(q)) issue(['users', i, 'queues', j], `no queue named "${q}" in queues`);
      });
    });
    const codeNames = new Set(fx.wrapupCodes.map((w) => w.name));
    fx.queues.forEach((q, i) => {
      q.wrapupCodes?.forEach((code, j) => {
        if (!codeNames.has(code)) issue(['queues', i, 'wrapupCodes', j], `no wrap-up code named "${code}"`);
      });
    });
    fx.clients.forEach((c, i) => {
      if (c.user !== undefined && !userIds.has(c.user))
        issue(['clients', i, 'user'], `no user with id "${c.user}"`);
    });
    const flowType = new Map(fx.flows.map((f) => [f.name, f.type]));
    const checkFlow = (path: (string | number)[], flow: string | undefined, type: string) => {
      if (flow === undefined) return;
      const t = flowType.get(flow);
      if (!t) issue(path, `no flow named "${flow}" in flows`);
      else if (t !== type) {
        const what = path[0] === 'openMessaging' ? 'integration' : 'deployment';
        issue(path, `flow "${flow}" is ${t}; this ${what} needs an ${type} flow`);
      }
    };
    fx.deployments.webchat.forEach((d, i) => {
      checkFlow(['deployments', 'webchat', i, 'flow'], d.flow, 'inboundChat');
    });
    fx.deployments.messenger.forEach((d, i) => {
      checkFlow(['deployments', 'messenger', i, 'flow'], d.flow, 'inboundShortMessage');
      if (d.allowAllDomains && d.allowedDomains.length > 0)
        issue(
          ['deployments', 'messenger', i, 'allowedDomains'],
          'allowAllDomains requires an empty allowedDomains',
        );
    });
    unique(fx.openMessaging, (o) => o.id, 'openMessaging', 'id');
    fx.openMessaging.forEach((o, i) => {
      checkFlow(['openMessaging', i, 'flow'], o.flow, 'inboundShortMessage');
    });
    const deploymentIds = [...fx.deployments.webchat, ...fx.deployments.messenger].map((d) => d.id);
    const dup = deploymentIds.find((d, i) => deploymentIds.indexOf(d) !== i);
    if (dup) issue(['deployments'], `deployment id "${dup}" is used twice`);
  });

export type FixtureInput = z.input<typeof FixtureSchema>;
export type Fixture = z.output<typeof FixtureSchema>;
export type FixtureQueue = Fixture['queues'][number];
export type FixtureUser = Fixture['users'][number];
export type FixtureClient = Fixture['clients'][number];
export type FixtureFlow = Fixture['flows'][number];
export type FixtureWrapupCode = Fixture['wrapupCodes'][number];
export type WebChatDeployment = Fixture['deployments']['webchat'][number];
export type MessengerDeployment = Fixture['deployments']['messenger'][number];
export type FixtureOpenIntegration = Fixture['openMessaging'][number];
