import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startEmulator } from '../support/emulators.ts';

/**
 * `logFormat: 'pretty'` (the command's `--log-format pretty`, its default on a terminal): a developer
 * watching the terminal sees one readable line per conversation event, stamped with emulator time
 * (issue 14, item 12). A whole story on a manual clock: created, the flow's result, queued, alerted,
 * answered, transferred, ended.
 */

const LINE = /^(\d\d:\d\d:\d\d\.\d{3}) \[([0-9a-f]{8})\] (.*)$/;

function captureStdout(): () => string[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  onTestFinished(() => spy.mockRestore());
  return () => lines;
}

describe('terminal activity', () => {
  it('pretty: one line per conversation event, in emulator time, with names', async () => {
    const printed = captureStdout();
    const emulator = await startEmulator({ logFormat: 'pretty', logLevel: 'warn', clock: 'manual' });
    const messenger = emulator.fixture.deployments.messenger[0]!;
    const sports = emulator.fixture.queues.find((q) => q.name === 'Sports Support')!;
    const member = emulator.fixture.users.find((u) => u.queues.includes('Sports Support'))!;
    const other = emulator.fixture.users.find((u) => u.id !== member.id && u.queues.includes('General'))!;

    const first = emulator.agent(member.name);
    await first.goOnQueue();
    const conversation = emulator.customers.start({
      deploymentId: messenger.id,
      attributes: { QueueName: sports.name },
      text: 'A person, please',
    });
    await first.nextAlert();
    await emulator.clock.advance(5_000);
    await first.answer();
    const second = emulator.agent(other.name);
    await second.goOnQueue();
    // Off queue first, so the transfer cannot come straight back to her.
    await first.goOffQueue();
    await first.transferToQueue('General');
    await second.nextAlert();
    emulator.customers.leave(conversation.id);
    await emulator.settle();

    const short = conversation.id.slice(0, 8);
    const lines = printed()
      .map((l) => LINE.exec(l))
      .filter((m): m is RegExpExecArray => m !== null && m[2] === short);
    const texts = lines.map((m) => m[3]);
    expect(texts).toEqual([
      expect.stringMatching(/^conversation created \(webmessaging, message, deployment /),
      `flow "${messenger.flow}": transfer -> ${sports.name}`,
      expect.stringMatching(new RegExp(`^queued in ${sports.name} \\(`)),
      `${member.name} alerted (${sports.alertingTimeoutSeconds} s to answer)`,
      `${member.name} answered`,
      'transferred to queue General',
      expect.stringMatching(/^queued in General \(/),
      expect.stringMatching(new RegExp(`^${other.name} alerted \\(`)),
      expect.stringMatching(/^conversation ended \(/),
    ]);
    // Emulator time: each line carries its event's time on the emulator clock, not the wall clock.
    const answered = emulator.events
      .ofType('participant.state.changed', { conversationId: conversation.id })
      .find((e) => e.data.userId === member.id && e.data.to === 'connected')!;
    const created = emulator.events.ofType('conversation.created', { conversationId: conversation.id })[0]!;
    expect(lines.find((m) => m[3] === `${member.name} answered`)![1]).toBe(answered.time.slice(11, 23));
    expect(Date.parse(answered.time) - Date.parse(created.time)).toBeGreaterThanOrEqual(5_000);
    expect(lines[0]![1]).toBe(created.time.slice(11, 23));
    // Nothing but these lines and no JSON: a person reads this.
    expect(printed().some((l) => l.startsWith('{'))).toBe(false);
  });

  it('json (the default): no activity lines on stdout at the default log level', async () => {
    const printed = captureStdout();
    const emulator = await startEmulator({ logLevel: 'warn', clock: 'manual' });
    emulator.customers.start({ queueName: 'General', text: 'hello' });
    await emulator.settle();
    expect(printed().filter((l) => LINE.test(l))).toEqual([]);
  });
});
