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
  });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const flag =
      issue.path[0] === 'command'
        ? 'command'
        : `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new CliError(`${flag}: ${issue.message}`);
  }
  if (result.data.manualClock && !result.data.controlPlane)
    throw new CliError(
      '--manual-clock needs --control-plane (time only moves through /__emulator/clock/advance)',
    );
  return result.data;
}
