import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BridgeConfigError, BridgeFailure, type BridgeHealth, type BridgeWarning } from './index.ts';
import { buildBridgeService } from './service/app.ts';
import { loadServiceConfigFile, ServiceConfigError } from './service/config-file.ts';

/**
 * The `genesys-bridge` command: `serve --config FILE` runs the HTTP/WebSocket service until SIGINT or
 * SIGTERM, then exits 0: with the memory store that ends every session (leaving Genesys); with Redis it
 * hands them to the other instances (or to this one's next start). A bad command line exits 2, a bad
 * config file exits 1 naming each setting and its line, an unreachable Redis exits 1 naming its URL.
 * bridge/bin.mjs calls runCli(); nothing else reads argv.
 */
export const USAGE = `Usage: genesys-bridge serve --config FILE [options]

Options:
  --config FILE        YAML or JSON with bridge: (the bridge configuration), service: (apiKeys, webhooks,
                       http: headerTimeoutMs, requestTimeoutMs, idleTimeoutMs) and store: (memory, the
                       default, or redis: { url, keyPrefix, leaseTtlMs })
  --host HOST          interface to listen on (default 127.0.0.1)
  --port PORT          port to listen on; 0 picks a free one (default 8081)
  --log-level LEVEL    fatal | error | warn | info | debug | trace | silent (default warn)
  --version            print the version
  -h, --help           show this help`;

const ServeArgsSchema = z.strictObject({
  command: z.literal('serve', { error: 'the only command is "serve"' }),
  config: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
  host: z.string().min(1, { error: 'must not be empty' }).default('127.0.0.1'),
  port: z
    .string()
    .regex(/^\d{1,5}$/, { error: 'must be a port number' })
    .transform(Number)
    .refine((n) => n <= 65535, { error: 'must be at most 65535' })
    .default(8081),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be fatal, error, warn, info, debug, trace or silent',
    })
    .default('warn'),
});

export type ServeArgs = z.output<typeof ServeArgsSchema>;

export class UsageError extends Error {}

export function parseServeArgs(argv: readonly string[]): ServeArgs | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (thrown) {
    throw new UsageError((thrown as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UsageError(`unexpected argument: ${positionals[1]}`);
  const result = ServeArgsSchema.safeParse({
    command: positionals[0],
    config: values.config,
    host: values.host,
    port: values.port,
    logLevel: values['log-level'],
  });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0]);
  const flag = name === 'command' ? 'command' : `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  throw new UsageError(`${flag}: ${issue.message}`);
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves with the first of the signals received. */
  signal(names: readonly NodeJS.Signals[]): Promise<NodeJS.Signals>;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: (names) =>
    new Promise((resolve) => {
      for (const name of names) process.once(name, () => resolve(name));
    }),
};

/** Runs the command; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let args: ServeArgs | 'help';
  try {
    args = parseServeArgs(argv);
  } catch (thrown) {
    if (!(thrown instanceof UsageError)) throw thrown;
    io.stderr(`genesys-bridge: ${thrown.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }

  let service: Awaited<ReturnType<typeof buildBridgeService>>;
  try {
    const config = loadServiceConfigFile(args.config);
    service = await buildBridgeService({
      config: config.bridge,
      apiKeys: config.service.apiKeys,
      ...(config.service.webhooks ? { webhooks: config.service.webhooks } : {}),
      http: config.service.http,
      store: config.store,
      logger: { level: args.logLevel },
    });
  } catch (thrown) {
    if (thrown instanceof BridgeFailure && thrown.error.code === 'STORE_UNAVAILABLE') {
      // One line that says what to check.
      io.stderr(`genesys-bridge: ${thrown.error.message}\n`);
      return 1;
    }
    if (thrown instanceof ServiceConfigError) {
      io.stderr(`genesys-bridge: invalid config file\n${thrown.message}\n`);
      return 1;
    }
    if (thrown instanceof BridgeConfigError) {
      io.stderr(`genesys-bridge: ${thrown.message}\n`);
      return 1;
    }
    throw thrown;
  }

  const { app, bridge } = service;
  try {
    await app.listen({ host: args.host, port: args.port });
  } catch (thrown) {
    await service.close();
    // One line that says what to do, never a stack trace.
    io.stderr(
      (thrown as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? `genesys-bridge: port ${args.port} on ${args.host} is already in use; pick another with --port (0 = any free)\n`
        : `genesys-bridge: cannot listen on ${args.host}:${args.port}: ${(thrown as Error).message}\n`,
    );
    return 1;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : args.port;
  const host = args.host.includes(':') ? `[${args.host}]` : args.host;
  const { warnings } = await bridge.validate();
  // One write, so whoever waits for the ready line has the summary too.
  io.stdout(
    `Genesys bridge service ready at http://${host}:${port}\n${summary(bridge.configs.default.channel, service.webhooks !== undefined, bridge.health(), warnings)}`,
  );

  const signal = await io.signal(['SIGINT', 'SIGTERM']);
  app.log.info({ signal }, 'closing');
  await service.close();
  return 0;
}

function summary(
  channel: string,
  webhooks: boolean,
  health: BridgeHealth,
  warnings: readonly BridgeWarning[],
): string {
  return [
    `  channel: ${channel}`,
    `  store: ${health.store.label}${health.store.kind === 'redis' ? ' (sessions survive a restart; SIGTERM hands them over)' : ' (SIGTERM ends the sessions)'}`,
    '  API: POST /v1/transfers, GET /v1/transfers/{id}, POST /v1/transfers/{id}/messages|typing|end',
    '  events: GET /v1/transfers/{id}/events?afterSeq=, GET /v1/transfers/{id}/events/stream (SSE), /v1/stream (WebSocket)',
    `  webhooks: ${webhooks ? 'on' : 'off'}`,
    ...warnings.map((w) => `  ${w.level} ${w.code}: ${w.message}`),
    '',
  ].join('\n');
}
