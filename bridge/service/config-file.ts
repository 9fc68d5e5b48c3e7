import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue } from '../config.ts';
import { validateConfig } from '../index.ts';
import { checkStoreSettings, type StoreSettings } from '../store/settings.ts';
import { checkServiceSettings, type ServiceSettings } from './settings.ts';

/**
 * The `genesys-bridge serve --config FILE` file, YAML or JSON (JSON is YAML):
 *
 *   bridge:                 # one bridge configuration, or { default, byBotChannel }
 *     loginUrl: https://login.mypurecloud.com
 *     deploymentId: ...
 *   service:
 *     apiKeys: [ ... ]      # at least one, 16+ characters
 *     webhooks: { url, secret }   # optional
 *   store:                  # optional: memory (the default) or
 *     redis: { url: redis://host:6379, leaseTtlMs: 15000 }
 *
 * Everything is validated before anything starts; every problem is reported with its setting and line.
 */
export interface LoadedServiceConfig {
  bridge: unknown;
  service: ServiceSettings;
  store: StoreSettings;
}

export interface FileIssue extends ConfigIssue {
  line?: number;
}

export class ServiceConfigError extends Error {
  readonly issues: readonly FileIssue[];

  constructor(
    readonly file: string,
    issues: readonly FileIssue[],
  ) {
    super(issues.map((i) => `${file}${i.line ? `:${i.line}` : ''} ${i.setting}: ${i.message}`).join('\n'));
    this.name = 'ServiceConfigError';
    this.issues = issues;
  }
}

const SECTIONS = new Set(['bridge', 'service', 'store']);

export function loadServiceConfigFile(path: string): LoadedServiceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (thrown) {
    const reason = (thrown as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(thrown);
    throw new ServiceConfigError(path, [
      { setting: '(file)', message: `cannot read the config file: ${reason}` },
    ]);
  }
  return parseServiceConfig(text, path);
}

export function parseServiceConfig(text: string, file = 'config'): LoadedServiceConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ServiceConfigError(
      file,
      doc.errors.map((e) => ({
        setting: '(syntax)',
        // The line is reported on its own; the pretty message repeats it and adds a code excerpt.
        message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
        ...(e.linePos?.[0] ? { line: e.linePos[0].line } : {}),
      })),
    );
  }
  let value: unknown;
  try {
    // Aliases are capped so a small file cannot expand into an enormous one.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (thrown) {
    throw new ServiceConfigError(file, [{ setting: '(syntax)', message: (thrown as Error).message }]);
  }
  const lineOf = (setting: string): number | undefined => {
    const path = setting.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return lines.linePos(range[0]).line;
    }
    return undefined;
  };

  const issues: ConfigIssue[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({
      setting: '(file)',
      message: 'the config file must be a mapping with bridge: and service:',
    });
  } else {
    const sections = value as Record<string, unknown>;
    for (const key of Object.keys(sections)) {
      if (!SECTIONS.has(key))
        issues.push({
          setting: key,
          message: `unknown section "${key}" (expected bridge, service and store)`,
        });
    }
    if (sections['bridge'] === undefined) {
      issues.push({
        setting: 'bridge',
        message: 'the bridge configuration is required (loginUrl, deploymentId, ...)',
      });
    } else {
      for (const issue of validateConfig(sections['bridge']).errors) {
        const setting = issue.setting === '(config)' ? 'bridge' : `bridge.${issue.setting}`;
        issues.push({ setting, message: issue.message });
      }
    }
    const service = checkServiceSettings(sections['service'], 'service.');
    if (!service.ok) issues.push(...service.issues);
    const store = checkStoreSettings(sections['store'], 'store');
    if (!store.ok) issues.push(...store.issues);
    if (issues.length === 0 && service.ok && store.ok)
      return { bridge: sections['bridge'], service: service.settings, store: store.settings };
  }
  throw new ServiceConfigError(
    file,
    issues.map((issue) => {
      const line = lineOf(issue.setting);
      return line === undefined ? issue : { ...issue, line };
    }),
  );
}
