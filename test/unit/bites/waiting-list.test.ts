import { describe, expect, it } from 'vitest';
import {
  before as goesBefore,
  type WaitingEntry,
  WaitingList,
} from '../../../emulator/domain/routing/waiting-list.ts';

/**
 * Which waiting conversation a freed agent gets: higher priority first, then the earlier arrival, then the
 * arrival sequence (stable ties). Every routing decision reads this order, so each rule is pinned at its
 * edge (equal priorities, equal arrival times), where a flipped comparison would otherwise hide.
 */

let order = 0;
const entry = (conversationId: string, priority: number, enqueuedAt: number): WaitingEntry => ({
  conversationId,
  priority,
  enqueuedAt,
  order: order++,
});
const ids = (list: WaitingList) => list.entries().map((e) => e.conversationId);

describe('waiting order', () => {
  it('higher priority goes first, whenever it arrived', () => {
    const list = new WaitingList();
    list.add(entry('early-low', 0, 1000));
    list.add(entry('late-high', 5, 9000));
    expect(ids(list)).toEqual(['late-high', 'early-low']);
    expect(list.first()?.conversationId).toBe('late-high');
  });

  it('at equal priority the earlier arrival goes first, even when added later', () => {
    const list = new WaitingList();
    list.add(entry('t2000', 1, 2000));
    list.add(entry('t1000', 1, 1000));
    list.add(entry('t3000', 1, 3000));
    expect(ids(list)).toEqual(['t1000', 't2000', 't3000']);
  });

  it('at equal priority and arrival time the arrival sequence decides (stable)', () => {
    const list = new WaitingList();
    list.add(entry('first', 2, 5000));
    list.add(entry('second', 2, 5000));
    list.add(entry('third', 2, 5000));
    expect(ids(list)).toEqual(['first', 'second', 'third']);
  });

  it('a mixed arrival lands in its place among many', () => {
    const list = new WaitingList();
    for (const [id, priority, at] of [
      ['a', 0, 100],
      ['b', 3, 400],
      ['c', 0, 50],
      ['d', 3, 300],
      ['e', 1, 10],
    ] as const)
      list.add(entry(id, priority, at));
    expect(ids(list)).toEqual(['d', 'b', 'e', 'c', 'a']);
    expect(list.size).toBe(5);
  });

  it('goesBefore (waiting-list before()) is a strict order: an entry is never before itself', () => {
    const x = entry('x', 1, 1);
    expect(goesBefore(x, x)).toBe(false);
    expect(goesBefore(entry('p', 1, 5), entry('q', 0, 1))).toBe(true);
    expect(goesBefore(entry('p', 0, 1), entry('q', 1, 5))).toBe(false);
  });
});

describe('leaving the queue', () => {
  it('remove takes out exactly that conversation and says whether it was waiting', () => {
    const list = new WaitingList();
    list.add(entry('a', 0, 1));
    list.add(entry('b', 0, 2));
    list.add(entry('c', 0, 3));
    expect(list.remove('b')).toBe(true);
    expect(ids(list)).toEqual(['a', 'c']);
    expect(list.remove('b')).toBe(false);
    expect(list.remove('nope')).toBe(false);
    expect(ids(list)).toEqual(['a', 'c']);
    expect(list.size).toBe(2);
  });

  it('an empty queue has no first entry', () => {
    const list = new WaitingList();
    expect(list.first()).toBeUndefined();
    expect(list.size).toBe(0);
    list.add(entry('only', 0, 1));
    list.remove('only');
    expect(list.first()).toBeUndefined();
  });
});
