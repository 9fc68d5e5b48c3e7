import { parseArgs } from 'node:util';
import { z } from 'zod';

/** The `start` command's arguments, parsed and validated; kept apart from start.ts so it can be unit-tested. */
export const USAGE = `Usage: genesys-emulator start [options]

Options:
  --host HOST          interface to listen on (default 127.0.0.1)
  --port PORT          port to listen on; 0 picks a free one (default 8080)
  --config FILE        fixture file (YAML or JSON); the embedded default org when absent
  --control-plane      enable the /__emulator/ control endpoints (reset, clock, events, fixture)
  --manual-clock       time moves only through POST /__emulator/clock/advance (needs --control-plane)
  --seed N             seed for reproducible ids
  --log-level LEVEL    fatal | error | warn | info | debug | trace | silent (default warn)
  --log-format F       pretty: one line per conversation event (created, flow result, queued, alerted,
                       answered, transferred, ended) in emulator time, readable log lines;
                       json: pino JSON lines, conversation events at level info
                       (default pretty when stdout is a terminal, json otherwise)
  --allow-host NAME    also answer /console and /__emulator/ for this Host name (repeatable; .example.test
                       allows its subdomains); loopback names, IP addresses and --host always work
  --header-timeout-ms N   cut off a request whose headers take longer (default 10000)
  --request-timeout-ms N  cut off a request (headers and body) that takes longer (default 30000)
  --idle-timeout-ms N     close an idle keep-alive connection after this long (default 30000)
  --data-dir DIR       keep the state in DIR (a journal written before each answer leaves, and
                       snapshots); a start on a DIR that holds a state restores it
  --reset-data         discard what --data-dir holds and start afresh (also to change its fixture)
  --fsync WHEN         when the journal reaches the disk itself: interval (once a second, default),
                       always (before every answer) or never (the OS decides; a killed process loses
                       nothing either way)
  --from-pack FILE     start in the state a repro pack holds (its org, timeline, conversations), with the
                       control plane on and the pack's clock (a manual clock resumes at the pack's time)
  -h, --help           show this help`;

const CliSchema = z.strictObject({
  command: z.literal('start'),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  config: z.string().min(1).optional(),
  controlPlane: z.boolean().default(false),
  manualClock: z.boolean().default(false),
  seed: z.coerce.number().int().min(0).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  /** Absent: pretty on a terminal, json otherwise (start.ts decides, it knows the terminal). */
  logFormat: z.enum(['pretty', 'json']).optional(),
  allowHost: z.array(z.string().min(1)).default([]),
  headerTimeoutMs: z.coerce.number().int().positive().max(3_600_000).optional(),
  requestTimeoutMs: z.coerce.number().int().positive().max(3_600_000).optional(),
  idleTimeoutMs: z.coerce.number().int().positive().max(3_600_000).optional(),
  dataDir: z.string().min(1).optional(),
  resetData: z.boolean().default(false),
  fsync: z.enum(['never', 'interval', 'always']).optional(),
  fromPack: z.string().min(1).optional(),
});

export type CliArgs = z.output<typeof CliSchema>;

export class CliError extends Error {}

export function parseCliArgs(argv: string[]): CliArgs | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        config: { type: 'string' },
        'control-plane': { type: 'boolean' },
        'manual-clock': { type: 'boolean' },
        seed: { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        'allow-host': { type: 'string', multiple: true },
        'header-timeout-ms': { type: 'string' },
        'request-timeout-ms': { type: 'string' },
        'idle-timeout-ms': { type: 'string' },
        'data-dir': { type: 'string' },
        'reset-data': { type: 'boolean' },
        fsync: { type: 'string' },
        'from-pack': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const command = positionals[0] ?? 'start';
  if (positionals.length > 1) throw new CliError(`unexpected argument: ${positionals[1]}`);
  const result = CliSchema.safeParse({
    command,
    host: values.host,
    port: values.port,
    config: values.config,
    controlPlane: values['control-plane'],
    manualClock: values['manual-clock'],
    seed: values.seed,
    logLevel: values['log-level'],
    logFormat: values['log-format'],
    allowHost: values['allow-host'],
    headerTimeoutMs: values['header-timeout-ms'],
    requestTimeoutMs: values['request-timeout-ms'],
    idleTimeoutMs: values['idle-timeout-ms'],
    dataDir: values['data-dir'],
    resetData: values['reset-data'],
    fsync: values.fsync,
    fromPack: values['from-pack'],
  });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const flag =
      issue.path[0] === 'command'
        ? 'command'
        : `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new CliError(`${flag}: ${issue.message}`);
  }
  const { headerTimeoutMs, requestTimeoutMs } = result.data;
  if ((headerTimeoutMs ?? 10_000) > (requestTimeoutMs ?? 30_000))
    throw new CliError(
      '--header-timeout-ms must not be longer than --request-timeout-ms (default 30000): the headers are part of the request',
    );
  const { dataDir, resetData, fsync, fromPack, config } = result.data;
  if (dataDir === undefined && (resetData || fsync !== undefined))
    throw new CliError(
      `${resetData ? '--reset-data' : '--fsync'} needs --data-dir (it is about the state kept there)`,
    );
  if (fromPack !== undefined && config !== undefined)
    throw new CliError('--from-pack carries its own org: leave out --config');
  if (result.data.manualClock && !result.data.controlPlane && fromPack === undefined)
    throw new CliError(
      '--manual-clock needs --control-plane (time only moves through /__emulator/clock/advance)',
    );
  return result.data;
}
