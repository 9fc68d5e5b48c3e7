import type { ParsedBridgeConfig } from './config-schema.ts';
import { BridgeFailure, bridgeError } from './errors.ts';
import type { JsonValue, MetadataReport } from './types.ts';

/**
 * Transfer metadata → Genesys participant data.
 *
 * Genesys only stores string→string attributes (Web Messaging `customAttributes`, WebChat
 * `customFields`), so every value is encoded to a string:
 * - `json` encoding (default): strings are sent as they are; every other JSON value (number, boolean,
 *   null, array, object) is sent as its JSON.stringify text, e.g. `42`, `true`, `null`, `["a","b"]`.
 * - `dotted` encoding: objects and arrays are flattened into one attribute per leaf with dotted keys
 *   (`{order:{id:7}}` → `order.id` = `7`, `{tags:["a"]}` → `tags.0` = `a`); leaves are encoded as
 *   above, and an empty object/array becomes `{}` / `[]` under its own key.
 *
 * The queue key (default `QueueName`) is always present when a queue is known and is never dropped.
 * Size is checked before anything is sent, against Genesys's `maxCustomDataBytes`.
 */
export type MetadataOptions = ParsedBridgeConfig['metadata'];
export type SizeRule = MetadataOptions['sizeRule'];

const UTF8 = new TextEncoder();

export function utf8Bytes(text: string): number {
  return UTF8.encode(text).length;
}

/** `json` encoding of one value: strings as-is, everything else JSON.stringify. */
export function encodeMetadataValue(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function flatten(prefix: string, value: JsonValue, out: [string, string][]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push([prefix, '[]']);
    value.forEach((item, index) => {
      flatten(`${prefix}.${index}`, item, out);
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) out.push([prefix, '{}']);
    for (const [key, item] of entries) flatten(`${prefix}.${key}`, item, out);
    return;
  }
  out.push([prefix, encodeMetadataValue(value)]);
}

// Control characters cannot be typed into Architect's Get Participant Data, so such a key is a bug.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(message: string, keys: string[]): BridgeFailure {
  return new BridgeFailure(
    bridgeError('METADATA_INVALID', `${message}: ${keys.map((k) => JSON.stringify(k)).join(', ')}`, {
      correctiveAction: 'Use non-empty metadata keys without control characters, each appearing once',
    }),
  );
}

/** Encodes user metadata to string attributes with keyPrefix applied. Throws METADATA_INVALID. */
export function encodeMetadata(
  metadata: Record<string, JsonValue>,
  options: MetadataOptions,
): Record<string, string> {
  const bad = Object.keys(metadata).filter((k) => k.trim() === '' || CONTROL.test(k));
  if (bad.length > 0) throw invalid('metadata keys must be non-empty without control characters', bad);

  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (options.encode === 'dotted') flatten(key, value, pairs);
    else pairs.push([key, encodeMetadataValue(value)]);
  }
  const out: Record<string, string> = {};
  const duplicates: string[] = [];
  for (const [key, value] of pairs) {
    const name = options.keyPrefix + key;
    if (Object.hasOwn(out, name)) duplicates.push(name);
    out[name] = value;
  }
  if (duplicates.length > 0) throw invalid('metadata keys collide after encoding', duplicates);
  return out;
}

/** Size of an attribute map as Genesys counts it for `maxCustomDataBytes` (see MetadataOptions.sizeRule). */
export function metadataSize(attributes: Record<string, string>, rule: SizeRule): number {
  if (rule === 'jsonUtf8') return utf8Bytes(JSON.stringify(attributes));
  let total = 0;
  for (const [key, value] of Object.entries(attributes)) total += utf8Bytes(key) + utf8Bytes(value);
  return total;
}

function entrySize(key: string, value: string): number {
  return utf8Bytes(key) + utf8Bytes(value);
}

export interface TransferAttributesInput {
  metadata?: Record<string, JsonValue>;
  /** Per-transfer queue. */
  queueName?: string;
  /** config.queueName. */
  defaultQueueName?: string;
  /** Extra optional attributes the bridge adds itself (the transcript in participantData mode). */
  extra?: Record<string, string>;
}

export interface TransferAttributes {
  attributes: Record<string, string>;
  /** Keys that must never be dropped. */
  required: ReadonlySet<string>;
  /** The queue the transfer routes to, if any. */
  queueName?: string;
}

/**
 * Builds the full attribute map of a transfer. The queue comes from, in order: the per-transfer queue,
 * the queue key already present in the metadata (Kore's documented dynamic-queue recipe), the configured
 * queueName. The queue key is written without keyPrefix because it must match Architect exactly.
 * Explicit metadata wins over `extra` on a key clash.
 */
export function buildTransferAttributes(
  input: TransferAttributesInput,
  options: MetadataOptions,
): TransferAttributes {
  const metadata = { ...(input.metadata ?? {}) };
  const queueKey = options.queueNameKey;
  const fromMetadata = Object.hasOwn(metadata, queueKey) ? metadata[queueKey] : undefined;
  delete metadata[queueKey];

  const encoded = encodeMetadata(metadata, options);
  const attributes: Record<string, string> = { ...(input.extra ?? {}), ...encoded };
  const queueName =
    input.queueName ??
    (fromMetadata !== undefined ? encodeMetadataValue(fromMetadata) : undefined) ??
    input.defaultQueueName;
  if (queueName !== undefined) attributes[queueKey] = queueName;

  const required = new Set(options.requiredKeys.map((k) => options.keyPrefix + k));
  required.add(queueKey);
  return { attributes, required, ...(queueName !== undefined ? { queueName } : {}) };
}

export interface FitOptions {
  /** Byte budget; undefined means no limit is known. */
  budgetBytes: number | undefined;
  rule: SizeRule;
  onOversize: MetadataOptions['onOversize'];
}

export interface FittedMetadata {
  attributes: Record<string, string>;
  report: MetadataReport;
}

/**
 * Checks attributes against the budget. `reject` refuses oversize metadata; `dropOptional` drops the
 * largest optional keys until it fits. Either way an impossible fit throws METADATA_TOO_LARGE naming the
 * biggest keys, before anything reaches Genesys.
 */
export function fitMetadata(transfer: TransferAttributes, options: FitOptions): FittedMetadata {
  const attributes = { ...transfer.attributes };
  const budget = options.budgetBytes;
  const dropped: MetadataReport['dropped'] = [];
  const size = () => metadataSize(attributes, options.rule);

  if (budget !== undefined && size() > budget && options.onOversize === 'dropOptional') {
    const optional = Object.entries(attributes)
      .filter(([key]) => !transfer.required.has(key))
      .sort(([ka, va], [kb, vb]) => entrySize(kb, vb) - entrySize(ka, va));
    for (const [key] of optional) {
      if (size() <= budget) break;
      delete attributes[key];
      dropped.push({ key, reason: 'oversize' });
    }
  }
  const used = size();
  if (budget !== undefined && used > budget) throw tooLarge(attributes, used, budget, options.onOversize);
  return {
    attributes,
    report: {
      sent: Object.keys(attributes),
      dropped,
      usedBytes: used,
      ...(budget !== undefined ? { budgetBytes: budget } : {}),
    },
  };
}

function tooLarge(
  attributes: Record<string, string>,
  used: number,
  budget: number,
  mode: MetadataOptions['onOversize'],
): BridgeFailure {
  const biggest = Object.entries(attributes)
    .map(([key, value]) => ({ key, bytes: entrySize(key, value) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
  const named = biggest.map((b) => `${b.key} (${b.bytes} bytes)`).join(', ');
  return new BridgeFailure(
    bridgeError(
      'METADATA_TOO_LARGE',
      `metadata is ${used} bytes, over Genesys's ${budget}-byte budget; biggest keys: ${named}`,
      {
        correctiveAction:
          mode === 'reject'
            ? 'Shorten or remove the biggest keys, or set metadata.onOversize to "dropOptional"'
            : 'The required keys alone exceed the budget: shorten them or remove keys from metadata.requiredKeys',
        provider: { code: 4013 },
      },
    ),
  );
}

/** WebChat carries metadata as `memberInfo.customFields` (string→string), which Genesys stores as `context.<key>`. */
export function toWebChatCustomFields(attributes: Record<string, string>): Record<string, string> {
  return { ...attributes };
}
