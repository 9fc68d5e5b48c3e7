import { describe, expect, it } from 'vitest';
import {
  type AppendOnlyField,
  EntityChanges,
  type EntityRecords,
} from '../../../emulator/store/journal/entity-changes.ts';
import { StateImage } from '../../../emulator/store/journal/state-image.ts';

interface Message {
  id: string;
  direction: 'inbound' | 'outbound';
  deliveredAt?: number;
}
interface Conv {
  id: string;
  state: string;
  messages: Message[];
}

const MESSAGES: AppendOnlyField = {
  table: 'conversations',
  field: 'messages',
  isOpen: (m) => (m as Message).direction === 'outbound' && (m as Message).deliveredAt === undefined,
};

const empty = (): EntityRecords => ({ put: [], app: [], upd: [], del: [] });

/** Applies one commit's records to an image, as a journal line would. */
function apply(image: StateImage, out: EntityRecords, n: number): void {
  const line = JSON.parse(
    `{"n":${n},"t":0${Object.entries(out)
      .filter(([, list]) => list.length)
      .map(([name, list]) => `,"${name}":[${list.join(',')}]`)
      .join('')}}`,
  );
  image.apply(line);
}

describe('EntityChanges', () => {
  it('writes an entity when it is new or changed, and nothing when a touch changed nothing', () => {
    const changes = new EntityChanges();
    let out = empty();
    changes.collect('agents', 'u1', { status: 'IDLE' }, out);
    expect(out.put).toEqual(['["agents","u1",{"status":"IDLE"}]']);
    out = empty();
    changes.collect('agents', 'u1', { status: 'IDLE' }, out);
    expect(out).toEqual(empty());
    changes.collect('agents', 'u1', { status: 'INTERACTING' }, out);
    expect(out.put).toHaveLength(1);
  });

  it('writes a deletion only for an entity it has written', () => {
    const changes = new EntityChanges();
    const out = empty();
    changes.collect('agents', 'never-written', undefined, out);
    expect(out.del).toEqual([]);
    changes.collect('agents', 'u1', { a: 1 }, out);
    changes.collect('agents', 'u1', undefined, out);
    expect(out.del).toEqual(['["agents","u1"]']);
  });

  it('takes known entities as written: a snapshot baseline', () => {
    const changes = new EntityChanges();
    changes.known('agents', 'u1', { status: 'IDLE' });
    const out = empty();
    changes.collect('agents', 'u1', { status: 'IDLE' }, out);
    expect(out).toEqual(empty());
  });

  it('journals an append-only field item by item: bytes per message do not grow with the conversation', () => {
    const changes = new EntityChanges([MESSAGES]);
    const conv: Conv = { id: 'c1', state: 'open', messages: [] };
    const sizes: number[] = [];
    for (let i = 0; i < 200; i++) {
      conv.messages.push({ id: `m${i}`, direction: 'inbound' });
      const out = empty();
      changes.collect('conversations', 'c1', conv, out);
      sizes.push([...out.put, ...out.app].join('').length);
    }
    // The first write carries the conversation; every later message is one small append, same size.
    expect(sizes[0]).toBeGreaterThan(sizes[1]!);
    const later = sizes.slice(10);
    expect(Math.max(...later) - Math.min(...later)).toBeLessThanOrEqual(2);
  });

  it('rebuilds the exact entity (field order included) from puts, appends and updates of open items', () => {
    const changes = new EntityChanges([MESSAGES]);
    const image = new StateImage();
    const conv: Conv = { id: 'c1', state: 'open', messages: [{ id: 'm0', direction: 'inbound' }] };
    let n = 0;
    const commit = () => {
      const out = empty();
      changes.collect('conversations', 'c1', conv, out);
      apply(image, out, ++n);
      return out;
    };
    commit();
    conv.messages.push({ id: 'm1', direction: 'outbound' }, { id: 'm2', direction: 'outbound' });
    commit();
    conv.state = 'connected';
    const delivered = commit();
    expect(delivered.put).toHaveLength(1);
    expect(delivered.app).toEqual([]);
    // An open (outbound, undelivered) message learns its delivery later: an update, not a rewrite.
    conv.messages[1]!.deliveredAt = 1234;
    const update = commit();
    expect(update.upd).toEqual([
      '["conversations","c1","messages",1,{"id":"m1","direction":"outbound","deliveredAt":1234}]',
    ]);
    expect(update.put).toEqual([]);
    // Settled now: a later commit does not look at it again.
    expect(commit()).toEqual(empty());
    const restored = image.tables.get('conversations')!.get('c1');
    expect(JSON.stringify(restored)).toBe(JSON.stringify(conv));
  });

  it('after clear() writes everything touched again (a reset or a new snapshot)', () => {
    const changes = new EntityChanges([MESSAGES]);
    const conv: Conv = { id: 'c1', state: 'open', messages: [{ id: 'm0', direction: 'inbound' }] };
    changes.collect('conversations', 'c1', conv, empty());
    changes.clear();
    const out = empty();
    changes.collect('conversations', 'c1', conv, out);
    expect(out.put).toHaveLength(1);
    expect(out.app).toHaveLength(1);
  });

  it('a field that shrank (never by the domain rules) is written whole again', () => {
    const changes = new EntityChanges([MESSAGES]);
    const image = new StateImage();
    const conv: Conv = {
      id: 'c1',
      state: 'open',
      messages: [
        { id: 'a', direction: 'inbound' },
        { id: 'b', direction: 'inbound' },
      ],
    };
    let out = empty();
    changes.collect('conversations', 'c1', conv, out);
    apply(image, out, 1);
    conv.messages = [{ id: 'z', direction: 'inbound' }];
    out = empty();
    changes.collect('conversations', 'c1', conv, out);
    apply(image, out, 2);
    expect((image.tables.get('conversations')!.get('c1') as Conv).messages).toEqual([
      { id: 'z', direction: 'inbound' },
    ]);
  });
});
