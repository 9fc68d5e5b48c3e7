import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultFixture, type EmulatorHandle, parseFixtureSource } from '../../emulator/index.ts';
import { startEmulator } from '../support/emulators.ts';
import { Guest } from '../support/webmessaging.ts';

/**
 * `startOver`: a used emulator becomes what a new one started with that seed would be (the scenario
 * pool lends one emulator to run after run this way), and refuses when it cannot.
 */

/** A short conversation through the public doors; what a user could compare between two emulators. */
async function story(emu: EmulatorHandle) {
  const alda = emu.agent('Alda Moore');
  await alda.goOnQueue();
  const { id } = emu.customers.start({
    deploymentId: emu.fixture.deployments.messenger[0]!.id,
    attributes: { QueueName: 'Sports Support' },
    text: 'I need help',
  });
  await alda.nextAlert();
  await alda.answer();
  await alda.say('Hi, Alda here');
  await emu.clock.advance(5_000);
  emu.customers.say(id, 'thanks');
  await emu.settle();
  return {
    now: emu.clock.now(),
    conversation: emu.conversations.get(id),
    timeline: emu.events.list().map((e) => ({ seq: e.seq, type: e.type, time: e.time })),
  };
}

describe('an emulator started over', () => {
  it('gives the ids, times and timeline of a new emulator started with that seed', async () => {
    const fresh = await startEmulator({ seed: 7 });
    const expected = await story(fresh);

    const used = await startEmulator({ seed: 99 });
    const other = await story(used);
    expect(other.conversation?.id).not.toBe(expected.conversation?.id);
    await used.startOver({ seed: 7 });
    expect(used.conversations.list()).toEqual([]);
    expect(await story(used)).toEqual(expected);
  });

  it('takes the org it is given, and goes back to another', async () => {
    const emu = await startEmulator();
    const renamed = { ...defaultFixture(), org: { ...defaultFixture().org, name: 'Renamed Org' } };
    await emu.startOver({ seed: 1, fixture: renamed });
    expect(emu.fixture.org.name).toBe('Renamed Org');
    await emu.startOver({ seed: 1, fixture: defaultFixture() });
    expect(emu.fixture.org.name).toBe(defaultFixture().org.name);
  });

  it('takes a fixture this process checked as it is, and checks any other', async () => {
    const emu = await startEmulator();
    const checked = parseFixtureSource({
      ...defaultFixture(),
      org: { ...defaultFixture().org, name: 'Checked Org' },
    });
    expect(await emu.startOver({ seed: 1, fixture: checked })).toBe(checked);
    expect(await emu.startOver({ seed: 2, fixture: defaultFixture() })).toBe(defaultFixture());
    // A copy is not known to be checked: it is checked again (and so a broken one is refused).
    const copy = structuredClone(checked);
    const taken = await emu.startOver({ seed: 1, fixture: copy });
    expect(taken).not.toBe(copy);
    expect(taken).toEqual(checked);
    const broken = { ...structuredClone(checked), queues: [{ name: 'No id' }] };
    await expect(emu.startOver({ seed: 1, fixture: broken as never })).rejects.toThrow(/queues\[0\]/);
    expect(emu.fixture.org.name).toBe('Checked Org');
  });

  it('with newPort, listens on a new port and the old one takes no more connections', async () => {
    const emu = await startEmulator();
    const before = emu.url;
    expect((await fetch(`${before}/api/v2/webdeployments/configurations`)).status).toBeGreaterThan(0);
    await emu.startOver({ seed: 1, newPort: true });
    expect(emu.url).not.toBe(before);
    expect(emu.wsUrl).toBe(emu.url.replace('http:', 'ws:'));
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
    const token = await fetch(`${emu.url}/oauth/token`, { method: 'POST' });
    expect(token.status).toBe(400);
    await expect(fetch(`${before}/oauth/token`, { method: 'POST' })).rejects.toThrow();
  });

  it('with newPort, a guest socket still open is closed and guests connect on the new port', async () => {
    const emu = await startEmulator();
    const guest = await Guest.connect(emu, randomUUID());
    await emu.startOver({ seed: 1, newPort: true });
    expect((await guest.closed).code).toBeGreaterThan(0);
    const again = await Guest.connect(emu, randomUUID());
    again.socket.close();
    await again.closed;
  });

  it('is refused for an emulator started without a seed, which keeps its state', async () => {
    const emu = await startEmulator({ seed: undefined });
    const alda = emu.agent('Alda Moore');
    await alda.goOnQueue();
    const { id } = emu.customers.start({ queueName: 'General', text: 'hello' });
    await expect(emu.startOver({ seed: 1 })).rejects.toThrow(/started with a seed/);
    expect(emu.conversations.get(id)).toBeDefined();
  });

  it('is refused while a timer the emulator did not set is pending, after dropping the state', async () => {
    const emu = await startEmulator();
    const { id } = emu.customers.start({ queueName: 'General', text: 'hello' });
    const start = emu.clock.now();
    let fired = false;
    emu.clock.setTimeout(() => {
      fired = true;
    }, 1_000);
    await expect(emu.startOver({ seed: 1 })).rejects.toThrow(/1 timer\(s\) not set by the emulator/);
    expect(emu.conversations.get(id)).toBeUndefined();
    expect(emu.clock.now()).toBe(start);
    await emu.clock.advance(1_000);
    expect(fired).toBe(true);
  });
});
