import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../emulator/domain/clock.ts';
import { Activity, ClockWaits } from '../../emulator/handle/waiting.ts';

/**
 * The rules `settle()` follows on a manual clock, against an activity source the test moves itself: a
 * counter of things that happened and a number of things under way. Work is simulated on loop turns
 * (setImmediate) and real timers, as loopback I/O and the thread pool deliver it.
 */
function world() {
  const source = { count: 0, inFlight: 0 };
  const waits = new ClockWaits(new ManualClock(0), new Activity(source), { graceMs: 0 });
  return { source, waits };
}

/** Something under way (a request, thread-pool work) that ends after `ms` of real time; `done()` says if it has. */
function underWay(source: { count: number; inFlight: number }, ms: number): () => boolean {
  let ended = false;
  source.inFlight++;
  setTimeout(() => {
    source.inFlight--;
    source.count++;
    ended = true;
  }, ms);
  return () => ended;
}

/** Runs `fn` on the `n`th loop turn from now. */
function onTurn(n: number, fn: () => void): void {
  if (n <= 1) setImmediate(fn);
  else setImmediate(() => onTurn(n - 1, fn));
}

describe('settle on a manual clock', () => {
  it('after a quiet settle, work that starts in its first turns and goes on turn after turn is waited for', async () => {
    const { source, waits } = world();
    await waits.settle();
    // Something every second turn, twenty turns long: longer than the few turns a quiet settle looks.
    let done = false;
    for (let t = 2; t <= 20; t += 2) onTurn(t, () => source.count++);
    onTurn(20, () => {
      done = true;
    });
    await waits.settle();
    expect(done).toBe(true);
  });

  it('on a busy machine (each loop turn outlasts the 1 ms timer) work that moves every other turn is still waited for', async () => {
    const { source, waits } = world();
    await waits.settle();
    // Each turn of this work keeps the thread 2 ms, as a loaded machine does: the settle's 1 ms timer is
    // then due at the very next turn, and the quiet it sees across that timer alone is no quiet at all.
    let done = false;
    const busy = () => {
      const until = performance.now() + 2;
      while (performance.now() < until);
    };
    for (let t = 1; t <= 30; t++)
      onTurn(t, () => {
        busy();
        if (t % 2 === 0) source.count++;
        if (t === 30) done = true;
      });
    await waits.settle();
    expect(done).toBe(true);
  });

  it('what happened since the last quiet settle gets a timer turn to lead to more (thread-pool work)', async () => {
    const { source, waits } = world();
    await waits.settle();
    source.count++;
    let done = false;
    // Due no later than the settle's own 1 ms timer, so it fires first however busy the machine is.
    setTimeout(() => {
      source.count++;
      done = true;
    }, 1);
    await waits.settle();
    expect(done).toBe(true);
  });

  it('something put under way during those first turns (without a count) is waited for', async () => {
    const { source, waits } = world();
    await waits.settle();
    let done = () => false;
    onTurn(3, () => {
      done = underWay(source, 5);
    });
    await waits.settle();
    expect(done()).toBe(true);
  });

  it('a request under way keeps a settle waiting past its quiet timer turns until it ends', async () => {
    const { source, waits } = world();
    source.count++;
    const done = underWay(source, 5);
    await waits.settle();
    expect(done()).toBe(true);
    expect(source.inFlight).toBe(0);
  });

  it('a request that never ends (held on the emulator clock) does not hold a settle forever', async () => {
    const { source, waits } = world();
    source.inFlight++;
    source.count++;
    await waits.settle();
    expect(source.inFlight).toBe(1);
  });
});
