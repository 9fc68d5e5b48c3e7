import { describe, expect, it } from 'vitest';
import { TrackingStore } from '../../../emulator/store/tracking-store.ts';

describe('TrackingStore', () => {
  it('reports the entity a get finds, every set and every delete that removed something', () => {
    const touched: string[] = [];
    const store = new TrackingStore((table, key) => touched.push(`${table}/${key}`));
    const t = store.table<{ n: number }>('things');
    t.set('a', { n: 1 });
    expect(t.get('a')).toEqual({ n: 1 });
    expect(t.get('missing')).toBeUndefined();
    expect(t.delete('missing')).toBe(false);
    expect(t.delete('a')).toBe(true);
    expect(touched).toEqual(['things/a', 'things/a', 'things/a']);
  });

  it('does not report has, size or values (reading only; changing needs a get)', () => {
    const touched: string[] = [];
    const store = new TrackingStore((table, key) => touched.push(`${table}/${key}`));
    const t = store.table<number>('n');
    t.set('x', 1);
    touched.length = 0;
    expect(t.has('x')).toBe(true);
    expect(t.size).toBe(1);
    expect([...t.values()]).toEqual([1]);
    expect(touched).toEqual([]);
  });

  it('gives the same table for the same name, raw maps untracked, and names only tables holding something', () => {
    const touched: string[] = [];
    const store = new TrackingStore((table, key) => touched.push(`${table}/${key}`));
    expect(store.table('a')).toBe(store.table('a'));
    store.table('empty');
    store.raw('b').set('k', 'v');
    expect(store.table<string>('b').get('k')).toBe('v');
    expect(touched).toEqual(['b/k']);
    expect(store.names()).toEqual(['b']);
    store.clear();
    expect(store.names()).toEqual([]);
    expect(store.table('b').size).toBe(0);
  });
});
