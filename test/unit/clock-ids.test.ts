import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../emulator/domain/clock.ts';
import { createIds, nameUuid, SeededIds } from '../../emulator/domain/ids.ts';

const START = Date.UTC(2026, 0, 1, 9, 0, 0);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ManualClock', () => {
  it('starts at the given time and moves only when advanced', () => {
    const clock = new ManualClock(START);
    expect(clock.now()).toBe(START);
    expect(clock.now()).toBe(START);
    clock.advance(1500);
    expect(clock.now()).toBe(START + 1500);
  });

  it('fires timers in due order, each seeing now() at its due time', () => {
    const clock = new ManualClock(START);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['c', clock.now()]), 300);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
    clock.advance(1000);
    expect(fired).toEqual([
      ['a', START + 100],
      ['b', START + 200],
      ['c', START + 300],
    ]);
    expect(clock.now()).toBe(START + 1000);
    expect(clock.pending).toBe(0);
  });

  it('fires timers due at the same time in the order they were scheduled', () => {
    const clock = new ManualClock(START);
    const fired: number[] = [];
    for (const n of [1, 2, 3, 4]) clock.setTimeout(() => fired.push(n), 50);
    clock.advance(50);
    expect(fired).toEqual([1, 2, 3, 4]);
  });

  it('fires a timer scheduled by a callback when it falls inside the same advance', () => {
    const clock = new ManualClock(START);
    const fired: [string, number][] = [];
    clock.setTimeout(() => {
      fired.push(['first', clock.now()]);
      clock.setTimeout(() => fired.push(['chained', clock.now()]), 100);
      clock.setTimeout(() => fired.push(['later', clock.now()]), 10_000);
    }, 100);
    clock.setTimeout(() => fired.push(['between', clock.now()]), 150);
    clock.advance(500);
    expect(fired).toEqual([
      ['first', START + 100],
      ['between', START + 150],
      ['chained', START + 200],
    ]);
    expect(clock.pending).toBe(1);
    clock.advance(9_800);
    expect(fired.at(-1)).toEqual(['later', START + 10_100]);
  });

  it('leaves timers beyond the window pending and fires one due exactly at the end', () => {
    const clock = new ManualClock(START);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('at end'), 100);
    clock.setTimeout(() => fired.push('after end'), 101);
    clock.advance(100);
    expect(fired).toEqual(['at end']);
    expect(clock.pending).toBe(1);
    clock.advance(1);
    expect(fired).toEqual(['at end', 'after end']);
  });

  it('does not fire a cleared timer, and clearing twice or clearing undefined is harmless', () => {
    const clock = new ManualClock(START);
    const fired: string[] = [];
    const handle = clock.setTimeout(() => fired.push('cleared'), 10);
    clock.setTimeout(() => fired.push('kept'), 20);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);
    clock.clearTimeout(undefined);
    clock.advance(100);
    expect(fired).toEqual(['kept']);
  });

  it('a callback can cancel a later timer in the same window', () => {
    const clock = new ManualClock(START);
    const fired: string[] = [];
    const later = clock.setTimeout(() => fired.push('later'), 200);
    clock.setTimeout(() => {
      fired.push('first');
      clock.clearTimeout(later);
    }, 100);
    clock.advance(1000);
    expect(fired).toEqual(['first']);
  });

  it('treats a negative delay as zero: due now, fired by advance(0)', () => {
    const clock = new ManualClock(START);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), -50);
    expect(fired).toEqual([]);
    clock.advance(0);
    expect(fired).toEqual([START]);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses to advance by %s', (ms) => {
    const clock = new ManualClock(START);
    expect(() => clock.advance(ms)).toThrow(RangeError);
    expect(clock.now()).toBe(START);
  });

  it('property: any schedule fires in (due, scheduling) order, with now() at each due time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 5 }),
        (delays, steps) => {
          const clock = new ManualClock(START);
          const fired: { index: number; at: number }[] = [];
          delays.forEach((delay, index) => {
            clock.setTimeout(() => fired.push({ index, at: clock.now() }), delay);
          });
          let elapsed = 0;
          for (const step of steps) {
            clock.advance(step);
            elapsed += step;
            expect(clock.now()).toBe(START + elapsed);
          }
          const expected = delays
            .map((delay, index) => ({ index, at: START + delay }))
            .filter((t) => t.at <= START + elapsed)
            .sort((a, b) => a.at - b.at || a.index - b.index);
          expect(fired).toEqual(expected);
          expect(clock.pending).toBe(delays.length - expected.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('SeededIds', () => {
  it('gives the same sequence for the same seed', () => {
    const a = new SeededIds(1234);
    const b = new SeededIds(1234);
    const seqA = [a.uuid(), a.hex(24), a.uuid(), a.uuid(), a.hex(8)];
    const seqB = [b.uuid(), b.hex(24), b.uuid(), b.uuid(), b.hex(8)];
    expect(seqA).toEqual(seqB);
    expect(new Set(seqA).size).toBe(seqA.length);
  });

  it('gives different sequences for different seeds', () => {
    const a = new SeededIds(1);
    const b = new SeededIds(2);
    expect([a.uuid(), a.uuid()]).not.toEqual([b.uuid(), b.uuid()]);
  });

  it('property: same seed, same sequence; ids are lower-case UUID v4 and hex has the asked length', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.integer({ min: 0, max: 64 }), { maxLength: 10 }), (seed, calls) => {
        const draw = () => {
          const ids = new SeededIds(seed);
          return calls.map((bytes) => (bytes === 0 ? ids.uuid() : ids.hex(bytes)));
        };
        const first = draw();
        expect(draw()).toEqual(first);
        calls.forEach((bytes, i) => {
          if (bytes === 0) expect(first[i]).toMatch(UUID_V4);
          else expect(first[i]).toMatch(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('createIds is seeded with a seed and random without one', () => {
    expect(createIds(7).uuid()).toBe(new SeededIds(7).uuid());
    const random = createIds(undefined);
    const [x, y] = [random.uuid(), random.uuid()];
    expect(x).toMatch(UUID_V4);
    expect(x).not.toBe(y);
  });

  it('nameUuid is stable per name and UUID-shaped', () => {
    expect(nameUuid('division:Home:org-1')).toBe(nameUuid('division:Home:org-1'));
    expect(nameUuid('division:Home:org-1')).not.toBe(nameUuid('division:Home:org-2'));
    expect(nameUuid('x')).toMatch(UUID_V4);
  });
});
