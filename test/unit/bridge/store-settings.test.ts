import { describe, expect, it } from 'vitest';
import { createBridge } from '../../../bridge/index.ts';
import { parseServiceConfig, ServiceConfigError } from '../../../bridge/service/config-file.ts';
import { DEPLOYMENT } from './fake-adapter.ts';

/** The `store:` section of `genesys-bridge serve --config FILE`, and createBridge's `store` option. */
const file = (store: string) => `bridge:
  loginUrl: https://login.mypurecloud.ie
  deploymentId: ${DEPLOYMENT}
service:
  apiKeys: [ "store-test-key-0123456789" ]
${store}`;

function issues(text: string) {
  try {
    parseServiceConfig(text, 'bridge.yaml');
  } catch (thrown) {
    if (thrown instanceof ServiceConfigError)
      return thrown.issues.map((i) => `${i.line}: ${i.setting}: ${i.message}`);
    throw thrown;
  }
  return [];
}

describe('the store section', () => {
  it('defaults to memory, and takes memory or redis with defaults filled in', () => {
    expect(parseServiceConfig(file(''), 'bridge.yaml').store).toBe('memory');
    expect(parseServiceConfig(file('store: memory'), 'bridge.yaml').store).toBe('memory');
    expect(
      parseServiceConfig(file('store:\n  redis:\n    url: redis://cache:6379/2\n'), 'bridge.yaml').store,
    ).toEqual({
      redis: {
        url: 'redis://cache:6379/2',
        leaseTtlMs: 15_000,
        connectTimeoutMs: 5000,
        commandTimeoutMs: 5000,
      },
    });
  });

  it('names each bad setting with its line', () => {
    expect(
      issues(file('store:\n  redis:\n    url: http://cache:6379\n    leaseTtlMs: 10\n    tll: 5\n')),
    ).toEqual([
      '8: store.redis.url: store.redis.url must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
      '9: store.redis.leaseTtlMs: store.redis.leaseTtlMs must be at least 300',
      '10: store.redis.tll: unknown setting "tll" (check the spelling)',
    ]);
    expect(issues(file('store: postgres'))).toEqual([
      '6: store: store must be "memory" or { redis: { url } }',
    ]);
    expect(issues(file('store:\n  redis: {}\n'))).toEqual([
      '7: store.redis.url: store.redis.url is required, e.g. redis://127.0.0.1:6379',
    ]);
  });

  it('is validated by createBridge too', () => {
    expect(() =>
      createBridge(
        { loginUrl: 'https://login.mypurecloud.ie', deploymentId: DEPLOYMENT },
        { store: { redis: { url: 'nope' } } },
      ),
    ).toThrow(/store\.redis\.url/);
  });

  it('reports the memory store in health()', () => {
    const bridge = createBridge({ loginUrl: 'https://login.mypurecloud.ie', deploymentId: DEPLOYMENT });
    expect(bridge.health()).toEqual({
      ready: true,
      store: { kind: 'memory', label: 'memory', available: true },
      sessions: 0,
    });
    expect(bridge.outbox).toBeUndefined();
  });
});
