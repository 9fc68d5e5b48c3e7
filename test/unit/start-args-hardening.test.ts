import { describe, expect, it } from 'vitest';
import { CliError, parseCliArgs, USAGE } from '../../emulator/cli/start-args.ts';

/** The start options issue 14 added: --allow-host, --log-format and the connection timeouts. */
describe('parseCliArgs: hardening options', () => {
  it('--allow-host repeats; --log-format and the timeouts are read', () => {
    expect(
      parseCliArgs([
        'start',
        '--allow-host',
        'devbox.lan',
        '--allow-host',
        '.dev.test',
        '--log-format',
        'pretty',
        '--header-timeout-ms',
        '5000',
        '--request-timeout-ms',
        '20000',
        '--idle-timeout-ms',
        '15000',
      ]),
    ).toMatchObject({
      allowHost: ['devbox.lan', '.dev.test'],
      logFormat: 'pretty',
      headerTimeoutMs: 5000,
      requestTimeoutMs: 20000,
      idleTimeoutMs: 15000,
    });
  });

  it('leaves --log-format to the terminal when absent', () => {
    const args = parseCliArgs(['start']);
    expect(args !== 'help' && args.logFormat).toBeUndefined();
  });

  it.each([
    [['--log-format', 'xml'], '--log-format'],
    [['--header-timeout-ms', '0'], '--header-timeout-ms'],
    [['--idle-timeout-ms', 'soon'], '--idle-timeout-ms'],
    [['--header-timeout-ms', '40000'], '--request-timeout-ms'],
    [['--header-timeout-ms', '9000', '--request-timeout-ms', '8000'], '--request-timeout-ms'],
  ])('refuses %j naming %s', (argv, flag) => {
    expect(() => parseCliArgs(['start', ...argv])).toThrow(CliError);
    try {
      parseCliArgs(['start', ...argv]);
    } catch (e) {
      expect((e as Error).message).toContain(flag);
    }
  });

  it('the usage documents every new option', () => {
    for (const flag of [
      '--allow-host',
      '--log-format',
      '--header-timeout-ms',
      '--request-timeout-ms',
      '--idle-timeout-ms',
    ])
      expect(USAGE).toContain(flag);
  });
});
