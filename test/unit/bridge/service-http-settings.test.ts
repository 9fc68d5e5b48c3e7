import { describe, expect, it } from 'vitest';
import { parseServiceConfig, ServiceConfigError } from '../../../bridge/service/config-file.ts';

/** The service's connection deadlines in the config file (`service.http`, issue 14 item 6). */
const BASE = `bridge:
  loginUrl: https://login.mypurecloud.com
  deploymentId: 0f8e2d7a-1b2c-4d3e-9f00-123456789abc
service:
  apiKeys: [ "at-least-16-characters" ]
`;

function problems(text: string): string[] {
  try {
    parseServiceConfig(text, 'bridge.yaml');
  } catch (e) {
    if (e instanceof ServiceConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected the file to be refused');
}

describe('service.http', () => {
  it('defaults to 10 s for headers, 30 s for a request, 30 s idle', () => {
    expect(parseServiceConfig(BASE).service.http).toEqual({
      headerTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 30_000,
    });
  });

  it('takes the three deadlines', () => {
    const text = `${BASE}  http: { headerTimeoutMs: 2000, requestTimeoutMs: 5000, idleTimeoutMs: 7000 }\n`;
    expect(parseServiceConfig(text).service.http).toEqual({
      headerTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      idleTimeoutMs: 7000,
    });
  });

  it('names a bad deadline with its line, an unknown key, and headers longer than the request', () => {
    expect(problems(`${BASE}  http:\n    idleTimeoutMs: 0\n`)).toEqual([
      'bridge.yaml:7 service.http.idleTimeoutMs: http.idleTimeoutMs must be at least 1',
    ]);
    expect(problems(`${BASE}  http: { keepAlive: 5 }\n`)).toEqual([
      expect.stringContaining('service.http.keepAlive: unknown setting'),
    ]);
    expect(problems(`${BASE}  http: { headerTimeoutMs: 9000, requestTimeoutMs: 8000 }\n`)).toEqual([
      expect.stringContaining(
        'service.http.headerTimeoutMs: http.headerTimeoutMs must not be longer than http.requestTimeoutMs',
      ),
    ]);
  });
});
