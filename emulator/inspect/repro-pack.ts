import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { CONVERSATIONS_TABLE } from '../domain/conversations/conversation-store.ts';
import { decodeJson, encodeJson } from '../store/journal/json-codec.ts';
import { type ImageJson, ImageJsonSchema, type Origin, OriginSchema } from '../store/journal/records.ts';
import { StateImage } from '../store/journal/state-image.ts';

/**
 * A repro pack: one JSON file (gzipped when its name ends in .gz) that someone else opens with
 * `genesys-emulator start --from-pack FILE` to see a conversation as it was, in the timeline, the
 * console and the API, and go on from there. It holds the org (fixture), what the state started from
 * (seed, clock), the emulator version, the whole state (store tables, timeline, clock, id positions)
 * or one conversation and what it touched, each conversation's sequence diagram as Mermaid text, and,
 * when a scenario run made it, the scenario and its transcript.
 *
 * A pack is plain JSON throughout: numbers JSON cannot carry (an agent's NaN `idleSince`) are written as
 * `{"$num":"NaN"}` in the pack itself, so it survives any JSON.stringify (HTTP, worker threads, tools);
 * they become numbers again only when a pack is opened (imageOf).
 */
export const PACK_KIND = 'genesys-emulator-repro-pack';
export const PACK_FORMAT = 1;

const ScenarioPart = z.object({
  name: z.string(),
  file: z.string(),
  channel: z.string(),
  seed: z.number().int().optional(),
  /** The scenario file's text. */
  source: z.string().optional(),
  failure: z.unknown().optional(),
  transcript: z.string().optional(),
});

export const ReproPackSchema = z.object({
  kind: z.literal(PACK_KIND),
  format: z.literal(PACK_FORMAT),
  emulatorVersion: z.string(),
  createdAt: z.string(),
  origin: OriginSchema,
  fixture: z.record(z.string(), z.unknown()),
  /** Set when the pack holds one conversation and what it touched, not the whole run. */
  conversationId: z.string().optional(),
  image: ImageJsonSchema,
  /** Each conversation's sequence diagram when the pack was made. */
  sequences: z.array(z.object({ conversationId: z.string(), mermaid: z.string() })).default([]),
  scenario: ScenarioPart.optional(),
});
export type ReproPack = z.output<typeof ReproPackSchema>;
export type ReproPackScenario = z.infer<typeof ScenarioPart>;

export class ReproPackError extends Error {}

export interface PackParts {
  emulatorVersion: string;
  origin: Origin;
  fixture: Record<string, unknown>;
  image: StateImage;
  /** Mermaid text of a conversation, from the image's timeline. */
  mermaid(conversationId: string, events: readonly unknown[]): string;
}

/** A pack of the whole state, or of one conversation and what it touched. */
export function makeReproPack(parts: PackParts, conversationId?: string): ReproPack {
  const image = conversationId === undefined ? parts.image : onlyConversation(parts.image, conversationId);
  const conversations = [...(image.tables.get(CONVERSATIONS_TABLE)?.keys() ?? [])];
  return {
    kind: PACK_KIND,
    format: PACK_FORMAT,
    emulatorVersion: parts.emulatorVersion,
    createdAt: new Date().toISOString(),
    origin: parts.origin,
    fixture: parts.fixture,
    ...(conversationId === undefined ? {} : { conversationId }),
    image: JSON.parse(encodeJson(image.toJson())) as ImageJson,
    sequences: conversations
      .filter((id) => image.events.some((e) => (e as { conversationId?: string }).conversationId === id))
      .map((id) => ({ conversationId: id, mermaid: parts.mermaid(id, image.events) })),
  };
}

/**
 * One conversation and what it touched: the entities whose key or content names it, its participants,
 * its agents or its communications, then those that name the keys found so (a Web Messaging session
 * names the conversation; its session-id index names the session's token); its events, and the events
 * outside conversations that name its agents (their routing status and presence).
 */
export function onlyConversation(image: StateImage, conversationId: string): StateImage {
  const conversation = image.tables.get(CONVERSATIONS_TABLE)?.get(conversationId) as
    | { participants?: { id: string; userId?: string; communicationId?: string }[] }
    | undefined;
  if (!conversation) throw new ReproPackError(`no conversation ${conversationId} in this state`);
  const users = new Set<string>();
  const terms = new Set<string>([conversationId]);
  for (const p of conversation.participants ?? []) {
    terms.add(p.id);
    if (p.communicationId) terms.add(p.communicationId);
    if (p.userId) users.add(p.userId);
  }
  for (const u of users) terms.add(u);
  const out = new StateImage();
  const names = (text: string, words: Iterable<string>) => {
    for (const w of words) if (text.includes(w)) return true;
    return false;
  };
  const found: string[] = [];
  const pick = (words: Set<string>) => {
    for (const [name, rows] of image.tables) {
      for (const [key, value] of rows) {
        if (out.tables.get(name)?.has(key)) continue;
        if (!words.has(key) && !names(encodeJson(value), words)) continue;
        out.table(name).set(key, value);
        found.push(key);
      }
    }
  };
  pick(terms);
  // The second round: what names a key the first round found (conversations' own keys are ids already).
  pick(new Set(found.filter((k) => k.length >= 16 && !terms.has(k))));
  out.events = image.events.filter((e) => {
    const event = e as { conversationId?: string; type?: string };
    if (event.conversationId !== undefined) return event.conversationId === conversationId;
    return event.type === 'fixture.loaded' || names(encodeJson(e), users);
  });
  out.lastSeq = image.lastSeq;
  out.now = image.now;
  out.ids = image.ids;
  out.cids = image.cids;
  out.n = image.n;
  return out;
}

/** Writes a pack: gzipped when the file name ends in .gz. Returns the bytes written. */
export function writeReproPack(path: string, pack: ReproPack): number {
  const text = `${JSON.stringify(pack)}\n`;
  const data = path.endsWith('.gz') ? gzipSync(text) : Buffer.from(text, 'utf8');
  writeFileSync(path, data);
  return data.length;
}

/** Reads and checks a pack file (gzipped or not, whatever its name). */
export function readReproPack(path: string): z.output<typeof ReproPackSchema> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new ReproPackError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return parseReproPack(data, path);
}

export function parseReproPack(data: Buffer, source: string): z.output<typeof ReproPackSchema> {
  let json: unknown;
  try {
    const text = (data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data).toString('utf8');
    json = JSON.parse(text);
  } catch {
    throw new ReproPackError(`${source} is not a repro pack (neither JSON nor gzipped JSON)`);
  }
  const parsed = ReproPackSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReproPackError(
      `${source} is not a repro pack: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** The state a pack holds, its tagged numbers numbers again. */
export function imageOf(pack: { image: ImageJson }): StateImage {
  return StateImage.fromJson(decodeJson(JSON.stringify(pack.image)) as ImageJson);
}
