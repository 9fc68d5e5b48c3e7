import { hash, randomBytes } from 'node:crypto';

/**
 * Ids shaped like Genesys's (lower-case UUID v4). With a seed the sequence is reproducible, so the same
 * scenario run twice produces the same conversation, participant and message ids.
 */
export interface IdGenerator {
  uuid(): string;
  /** Random hex of the given byte length (tokens, secrets). Seeded like uuid(). */
  hex(bytes: number): string;
  /** A seeded generator's position, so a restored emulator goes on where it stopped (never repeating an id). */
  position?(): number;
  resume?(position: number): void;
}

/** mulberry32: tiny, fast, good enough for ids (not for cryptography). Its whole state is one number. */
class Mulberry32 {
  state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

function formatUuid(bytes: Uint8Array): string {
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class SeededIds implements IdGenerator {
  readonly #random: Mulberry32;
  constructor(seed: number) {
    this.#random = new Mulberry32(seed);
  }
  #bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.#random.next() * 256);
    return out;
  }
  position(): number {
    return this.#random.state;
  }
  resume(position: number): void {
    this.#random.state = position >>> 0;
  }
  uuid(): string {
    return formatUuid(this.#bytes(16));
  }
  hex(bytes: number): string {
    return Buffer.from(this.#bytes(bytes)).toString('hex');
  }
}

export class RandomIds implements IdGenerator {
  uuid(): string {
    return formatUuid(randomBytes(16));
  }
  hex(bytes: number): string {
    return randomBytes(bytes).toString('hex');
  }
}

export function createIds(seed: number | undefined): IdGenerator {
  return seed === undefined ? new RandomIds() : new SeededIds(seed);
}

/** A stable UUID-shaped id derived from a name (same name, same id), for ids the fixture does not give. */
export function nameUuid(name: string): string {
  // crypto.hash, one call: half the cost of a createHash object (Web Messaging derives one per message frame).
  return formatUuid(new Uint8Array(hash('sha1', name, 'buffer').subarray(0, 16)));
}
