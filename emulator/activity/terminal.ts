import type { FastifyBaseLogger } from 'fastify';
import type { EmulatorOptions } from '../config/options.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { type ActivityNames, activityLine, describeActivity } from './describe.ts';

/** Where terminal lines go (process.stdout in the command). */
export interface TerminalOut {
  write(text: string): unknown;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** One pino JSON record as a readable line: real time (UTC), level, message and the few fields that help. */
export function formatLogRecord(record: Record<string, unknown>): string {
  const time = typeof record['time'] === 'number' ? new Date(record['time']).toISOString().slice(11, 23) : '';
  const level = LEVELS[record['level'] as number] ?? String(record['level'] ?? '');
  const req = record['req'] as { method?: string; url?: string } | undefined;
  const res = record['res'] as { statusCode?: number } | undefined;
  const err = record['err'] as { message?: string; stack?: string } | undefined;
  const parts = [
    `${time} ${level.padEnd(5)} ${String(record['msg'] ?? '')}`,
    req?.method ? ` ${req.method} ${req.url ?? ''}` : '',
    res?.statusCode ? ` -> ${res.statusCode}` : '',
    typeof record['reqId'] === 'string' ? ` (${record['reqId']})` : '',
    err ? `\n  ${(Number(record['level']) >= 50 ? err.stack : undefined) ?? err.message ?? ''}` : '',
  ];
  return parts.join('');
}

/** A pino destination that prints each JSON record as one readable line (`--log-format pretty`). */
export function prettyLogDestination(out: TerminalOut): { write(chunk: string): void } {
  return {
    write(chunk) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          out.write(`${line}\n`);
          continue;
        }
        out.write(`${formatLogRecord(record as Record<string, unknown>)}\n`);
      }
    },
  };
}

function orgNames(runtime: EmulatorRuntime): ActivityNames {
  return {
    userName: (id) => runtime.org().userById(id)?.name,
    queueName: (id) => runtime.org().queueById(id)?.name,
  };
}

/**
 * The terminal's view of conversations. `pretty`: one line per conversation event (describe.ts) in
 * emulator time, whatever the log level but `silent`. `json`: the same events as pino records at level
 * info (`activity` holds seq, type, conversation and emulator time), for machines.
 */
export function installActivityLog(
  runtime: EmulatorRuntime,
  options: Pick<EmulatorOptions, 'logFormat' | 'logLevel'>,
  log: FastifyBaseLogger,
  out: TerminalOut = process.stdout,
): void {
  const names = orgNames(runtime);
  if (options.logFormat === 'pretty') {
    if (options.logLevel === 'silent') return;
    runtime.events.subscribe((event) => {
      const line = activityLine(event, names);
      if (line !== undefined) out.write(`${line}\n`);
    });
    return;
  }
  if (!['trace', 'debug', 'info'].includes(log.level)) return;
  runtime.events.subscribe((event) => {
    const text = describeActivity(event, names);
    if (text === undefined) return;
    const { seq, type, conversationId, time } = event;
    log.info({ activity: { seq, type, conversationId, emulatorTime: time } }, text);
  });
}
