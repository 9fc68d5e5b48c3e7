import { describe, expect, it } from 'vitest';
import { CliError, parseCliArgs, USAGE } from '../../emulator/cli/start-args.ts';

function cliError(argv: string[]): CliError {
  try {
    parseCliArgs(argv);
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseCliArgs', () => {
  it('uses the documented defaults for a bare start', () => {
    expect(parseCliArgs(['start'])).toEqual({
      command: 'start',
      host: '127.0.0.1',
      port: 8080,
      controlPlane: false,
      manualClock: false,
      logLevel: 'warn',
      allowHost: [],
      resetData: false,
    });
  });

  it('starts when no command is given', () => {
    expect(parseCliArgs([])).toMatchObject({ command: 'start', port: 8080 });
  });

  it('reads every option', () => {
    expect(
      parseCliArgs([
        'start',
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--config',
        'org.yaml',
        '--control-plane',
        '--manual-clock',
        '--seed',
        '42',
        '--log-level',
        'debug',
      ]),
    ).toEqual({
      command: 'start',
      host: '0.0.0.0',
      port: 0,
      config: 'org.yaml',
      controlPlane: true,
      manualClock: true,
      seed: 42,
      logLevel: 'debug',
      allowHost: [],
      resetData: false,
    });
  });

  it('reads the data dir options', () => {
    expect(parseCliArgs(['start', '--data-dir', 'state', '--reset-data', '--fsync', 'always'])).toMatchObject(
      { dataDir: 'state', resetData: true, fsync: 'always' },
    );
    expect(parseCliArgs(['start', '--from-pack', 'bug.json.gz'])).toMatchObject({ fromPack: 'bug.json.gz' });
    // A pack runs on a manual clock it resumes, driven through the control plane it turns on.
    expect(parseCliArgs(['start', '--from-pack', 'bug.json', '--manual-clock'])).toMatchObject({
      manualClock: true,
    });
  });

  it('accepts --opt=value', () => {
    expect(parseCliArgs(['start', '--port=9090', '--seed=0'])).toMatchObject({ port: 9090, seed: 0 });
  });

  it.each([['-h'], ['--help'], ['start', '--help']])('%s asks for help', (...argv) => {
    expect(parseCliArgs(argv)).toBe('help');
  });

  it.each([
    [['--port', 'notanumber'], '--port'],
    [['--port', '65536'], '--port'],
    [['--port=-1'], '--port'],
    [['--port', '80.5'], '--port'],
    [['--seed', 'abc'], '--seed'],
    [['--seed=-3'], '--seed'],
    [['--log-level', 'verbose'], '--log-level'],
    [['--host', ''], '--host'],
    [['--config', ''], '--config'],
    [['stop'], 'command'],
    [['start', 'extra'], 'extra'],
    [['--bogus'], '--bogus'],
    [['--port'], '--port'],
    [['--manual-clock'], '--manual-clock'],
    [['--reset-data'], '--data-dir'],
    [['--fsync', 'always'], '--data-dir'],
    [['--data-dir', 'd', '--fsync', 'sometimes'], '--fsync'],
    [['--from-pack', 'p.json', '--config', 'org.yaml'], '--config'],
  ])('refuses %j, naming %s', (argv, named) => {
    expect(cliError(argv).message).toContain(named);
  });

  it('has a usage text that lists every option', () => {
    for (const option of [
      '--host',
      '--port',
      '--config',
      '--control-plane',
      '--manual-clock',
      '--seed',
      '--log-level',
      '--data-dir',
      '--reset-data',
      '--fsync',
      '--from-pack',
      '--help',
    ])
      expect(USAGE).toContain(option);
  });
});
