import { parseArgs } from 'node:util';
import { parseLoginUrl } from '../../bridge/regions.ts';
import { defaultJobs } from './pool-threads.ts';
import { parseShard, type Shard } from './shard.ts';
import type { ScenarioChannel } from './world.ts';

export const SCENARIOS_USAGE = `Usage: genesys-emulator scenarios [PATHS...] [options]

Runs scenario files (YAML) against an in-process emulator and a real bridge, once per channel.

Options:
  --channel C          only webmessaging, webchat or openmessaging
  --reporter R         pretty (default) | junit | json: junit and json print the report on stdout, write
                       it to DIR/junit.xml or DIR/results.json, and print progress on stderr
  --seed N             override every scenario's seed
  --out DIR            where the junit/json report and failed runs' full transcripts go, for every
                       reporter (default .scenario-results)
  --jobs N             runs at once, each on a worker thread (default: one per core; 1 with --target)
  --shard I/N          run only shard I of N (by file, deterministic): N machines with shards 1/N..N/N
                       together run every scenario exactly once
  --target URL         run against another emulator (http://127.0.0.1:PORT) or a real org's login URL
                       (https://login.mypurecloud.ie) instead of an in-process emulator; steps that need
                       what the target lacks (control plane, manual clock, agent credentials) are skipped
  --target-fixture F   the target's org as a fixture file (deployments, queues, agent clients bound to
                       users); needed for a target without a control plane
  -h, --help           show this help

PATHS default to scenarios/library.`;

export interface ScenariosArgs {
  paths: string[];
  shard?: Shard;
  jobs?: number;
  channel?: ScenarioChannel;
  reporter: 'pretty' | 'junit' | 'json';
  seed?: number;
  out?: string;
  target?: string;
  targetFixture?: string;
}

export type ParsedScenariosArgs = { help: true } | { usageError: string } | ScenariosArgs;

/** The command line of `genesys-emulator scenarios`, checked; nothing is read or contacted here. */
export function parseScenariosArgs(argv: string[]): ParsedScenariosArgs {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        channel: { type: 'string' },
        reporter: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        shard: { type: 'string' },
        jobs: { type: 'string' },
        target: { type: 'string' },
        'target-fixture': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return { usageError: (e as Error).message };
  }
  if (values.help) return { help: true };
  const channel = values.channel as string | undefined;
  const reporter = (values.reporter as string | undefined) ?? 'pretty';
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const target = values.target as string | undefined;
  const targetFixture = values['target-fixture'] as string | undefined;
  if (
    channel !== undefined &&
    channel !== 'webmessaging' &&
    channel !== 'webchat' &&
    channel !== 'openmessaging'
  )
    return { usageError: '--channel must be webmessaging, webchat or openmessaging' };
  if (reporter !== 'pretty' && reporter !== 'junit' && reporter !== 'json')
    return { usageError: '--reporter must be pretty, junit or json' };
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0))
    return { usageError: '--seed must be a whole number' };
  const shard = values.shard === undefined ? undefined : parseShard(values.shard as string);
  if (shard === null) return { usageError: '--shard must be I/N with 1 <= I <= N, such as 2/4' };
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 256))
    return { usageError: '--jobs must be a whole number from 1 to 256' };
  if (targetFixture !== undefined && target === undefined)
    return { usageError: '--target-fixture describes a --target; give both' };
  if (target !== undefined) {
    const parsed = parseLoginUrl(target);
    if (!parsed.ok) {
      const p = parsed.problem;
      const suggestion = p.kind === 'notLoginHost' && p.suggestion ? ` (did you mean ${p.suggestion}?)` : '';
      return {
        usageError: `--target must be an emulator (http://127.0.0.1:PORT) or a Genesys login URL (https://login.<region domain>)${suggestion}`,
      };
    }
    // A real org has no control plane, so only a fixture file can say which deployment to use.
    if (parsed.hosts.target === 'genesys' && targetFixture === undefined)
      return {
        usageError:
          '--target on a real org needs --target-fixture FILE (its deployments, queues and agent clients)',
      };
  }
  return {
    paths: positionals,
    reporter,
    ...(channel === undefined ? {} : { channel }),
    ...(shard === undefined ? {} : { shard }),
    ...(jobs === undefined ? {} : { jobs }),
    ...(seed === undefined ? {} : { seed }),
    ...(values.out === undefined ? {} : { out: values.out as string }),
    ...(target === undefined ? {} : { target }),
    ...(targetFixture === undefined ? {} : { targetFixture }),
  };
}

/** Runs at once: one per core by default; one at a time against a target (each run resets it). */
export function jobsOf(args: ScenariosArgs): number {
  return args.target === undefined ? (args.jobs ?? defaultJobs()) : 1;
}
