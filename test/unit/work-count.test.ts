import { describe, expect, it } from 'vitest';
import { WorkCount } from '../../emulator/work-count.ts';

/**
 * The emulator's count of work under way (runtime.activity): waits on a manual clock treat work still
 * counted as in flight as not finished, so work that is never ended would make every later wait slow.
 */
describe('the count of work under way', () => {
  it('counts work as in flight until it ends, whether it succeeds or fails', async () => {
    const work = new WorkCount();
    let release!: () => void;
    const ok = work.during(() => new Promise<string>((resolve) => (release = () => resolve('done'))));
    expect(work.inFlight).toBe(1);
    release();
    expect(await ok).toBe('done');
    await expect(work.during(() => Promise.reject(new Error('network down')))).rejects.toThrow(
      'network down',
    );
    expect(work.inFlight).toBe(0);
    // Each start and each end moved the count: a wait sees that something happened.
    expect(work.count).toBe(4);
  });

  it('never counts below nothing in flight', () => {
    const work = new WorkCount();
    work.finished();
    work.started();
    expect(work.inFlight).toBe(1);
    work.happened();
    expect(work.count).toBe(3);
  });
});
