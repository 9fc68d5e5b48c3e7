import { describe, expect, it } from 'vitest';
import { StateImage } from '../../../emulator/store/journal/state-image.ts';

describe('StateImage', () => {
  it('applies a line: clock, id positions, events, puts, appends, updates, deletions, in that order', () => {
    const image = StateImage.fromJson(
      {
        tables: { t: [['gone', { x: 1 }]] },
        events: [{ seq: 1, type: 'fixture.loaded' }],
        lastSeq: 1,
        now: 5,
      },
      3,
    );
    expect(image.n).toBe(3);
    image.apply({
      n: 4,
      t: 9,
      ids: 77,
      cids: 78,
      ev: [
        { seq: 2, type: 'a' },
        { seq: 3, type: 'b' },
      ],
      put: [
        ['t', 'k', { name: 'x', items: null }, 'items'],
        ['t', 'plain', 1],
      ],
      app: [['t', 'k', 'items', 0, ['i0', 'i1']]],
      upd: [['t', 'k', 'items', 1, 'I1']],
      del: [['t', 'gone']],
    });
    expect(image.n).toBe(4);
    expect(image.now).toBe(9);
    expect([image.ids, image.cids]).toEqual([77, 78]);
    expect(image.lastSeq).toBe(3);
    expect(image.events).toHaveLength(3);
    expect(image.tables.get('t')!.get('k')).toEqual({ name: 'x', items: ['i0', 'I1'] });
    expect(image.tables.get('t')!.has('gone')).toBe(false);
    expect(image.toJson()).toEqual({
      tables: {
        t: [
          ['k', { name: 'x', items: ['i0', 'I1'] }],
          ['plain', 1],
        ],
      },
      events: image.events,
      lastSeq: 3,
      now: 9,
      ids: 77,
      cids: 78,
    });
  });

  it('keeps an append-only field when a later put rewrites the entity around it', () => {
    const image = new StateImage();
    image.apply({ n: 1, t: 0, put: [['c', 'k', { s: 1, m: null }, 'm']], app: [['c', 'k', 'm', 0, ['a']]] });
    image.apply({ n: 2, t: 0, put: [['c', 'k', { s: 2, m: null }, 'm']], app: [['c', 'k', 'm', 1, ['b']]] });
    expect(image.tables.get('c')!.get('k')).toEqual({ s: 2, m: ['a', 'b'] });
  });

  it('refuses a line that appends past the end, or to an entity it never had', () => {
    const image = new StateImage();
    image.apply({ n: 1, t: 0, put: [['c', 'k', { m: null }, 'm']] });
    expect(() => image.apply({ n: 2, t: 0, app: [['c', 'k', 'm', 3, ['x']]] })).toThrow(
      /appends to c k at 3, after 0/,
    );
    expect(() => image.apply({ n: 3, t: 0, upd: [['c', 'nope', 'm', 0, 'x']] })).toThrow(/never wrote/);
  });
});
