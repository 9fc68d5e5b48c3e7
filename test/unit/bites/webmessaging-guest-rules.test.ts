import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { MessengerDeployment } from '../../../emulator/config/fixture-schema.ts';
import { ManualClock } from '../../../emulator/domain/clock.ts';
import { ApiError } from '../../../emulator/domain/errors.ts';
import {
  originAllowed,
  serves,
  sessionDurationSeconds,
} from '../../../emulator/surfaces/webmessaging/deployments.ts';
import { GuestJwt, type KeyKeeper } from '../../../emulator/surfaces/webmessaging/guest-jwt.ts';
import { customDataBytes } from '../../../emulator/surfaces/webmessaging/limits.ts';
import {
  noRecentMessages,
  recordMessage,
  retryAfterSeconds,
} from '../../../emulator/surfaces/webmessaging/rate-limit.ts';

/**
 * The Web Messaging guest surface's rules at their edges, one module at a time: the 2-per-second
 * onMessage window, the deployment's Origin check and status, the custom-attribute byte count, and the
 * guest JWT's verdicts (which 401 code a guest gets). Mutation testing (issue 18) showed the existing
 * socket tests crossing these rules far from their edges, where a shifted boundary looks the same.
 */

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

describe('onMessage rate window (2 per second per session)', () => {
  it('a fresh session may send at once, even at time 0', () => {
    expect(retryAfterSeconds(noRecentMessages(), 0)).toBe(0);
    expect(retryAfterSeconds(noRecentMessages(), T0)).toBe(0);
  });

  it('after two messages, a third waits until the older one is exactly a second old', () => {
    const recent = noRecentMessages();
    recordMessage(recent, T0);
    expect(retryAfterSeconds(recent, T0)).toBe(0);
    recordMessage(recent, T0 + 400);
    expect(retryAfterSeconds(recent, T0 + 400)).toBe(1);
    expect(retryAfterSeconds(recent, T0 + 999)).toBe(1);
    expect(retryAfterSeconds(recent, T0 + 1000)).toBe(0);
  });

  it('the window slides: the next limit counts from the second-newest accepted message', () => {
    const recent = noRecentMessages();
    recordMessage(recent, T0);
    recordMessage(recent, T0 + 400);
    recordMessage(recent, T0 + 1000);
    expect(recent).toEqual([T0 + 400, T0 + 1000]);
    expect(retryAfterSeconds(recent, T0 + 1399)).toBe(1);
    expect(retryAfterSeconds(recent, T0 + 1400)).toBe(0);
  });
});

function deployment(overrides: Partial<MessengerDeployment> = {}): MessengerDeployment {
  return {
    id: 'dep-1',
    flow: 'Inbound',
    allowedDomains: [],
    allowAllDomains: false,
    status: 'Active',
    conversationDisconnect: { enabled: false, type: 'Send' },
    ...overrides,
  };
}

describe('deployment status and session lifetime', () => {
  it('only an Active deployment serves guests', () => {
    expect(serves(deployment())).toBe(true);
    for (const status of ['Pending', 'Inactive', 'Error', 'Deleting'] as const)
      expect(serves(deployment({ status })), status).toBe(false);
    expect(serves(undefined)).toBe(false);
  });

  it('a guest session lives the deployment’s sessionDurationSeconds, 72 h when it sets none', () => {
    expect(sessionDurationSeconds(deployment({ sessionDurationSeconds: 600 }))).toBe(600);
    expect(sessionDurationSeconds(deployment())).toBe(259_200);
  });
});

describe('Origin check at upgrade', () => {
  const listed = deployment({
    allowedDomains: ['shop.example.com', '*.brand.test', 'https://portal.example.org:8443/app'],
  });
  const allowed = (origin: string | undefined, host = 'emulator.local:8080') =>
    originAllowed(listed, origin, host);

  it('accepts a listed host exactly, in any case, on any scheme and port', () => {
    expect(allowed('https://shop.example.com')).toBe(true);
    expect(allowed('HTTP://SHOP.Example.COM:3000')).toBe(true);
    expect(allowed('https://portal.example.org')).toBe(true);
  });

  it('refuses a sub- or sibling domain of an exact entry', () => {
    expect(allowed('https://www.shop.example.com')).toBe(false);
    expect(allowed('https://example.com')).toBe(false);
    expect(allowed('https://evil.test')).toBe(false);
  });

  it('a wildcard entry matches subdomains at any depth, not the bare domain or a look-alike', () => {
    expect(allowed('https://a.brand.test')).toBe(true);
    expect(allowed('https://a.b.brand.test')).toBe(true);
    expect(allowed('https://brand.test')).toBe(false);
    expect(allowed('https://evilbrand.test')).toBe(false);
  });

  it('non-browser clients: no Origin passes, and so does an Origin naming the host connected to', () => {
    expect(allowed(undefined)).toBe(true);
    expect(allowed('http://emulator.local:9999')).toBe(true);
    expect(originAllowed(listed, 'http://emulator.local', undefined)).toBe(false);
  });

  it('an opaque or unreadable Origin is refused', () => {
    expect(allowed('null')).toBe(false);
    expect(allowed('')).toBe(false);
    expect(allowed('http://')).toBe(false);
  });

  it('allowAllDomains lets any Origin through; an empty list lets none', () => {
    expect(originAllowed(deployment({ allowAllDomains: true }), 'https://evil.test', undefined)).toBe(true);
    expect(originAllowed(deployment(), 'https://shop.example.com', undefined)).toBe(false);
    expect(originAllowed(deployment({ allowedDomains: ['', 'null'] }), 'https://x.test', undefined)).toBe(
      false,
    );
  });
});

describe('Origin check: entries as people write them in a fixture', () => {
  it('an entry with surrounding spaces (a YAML slip) still matches its host', () => {
    const d = deployment({ allowedDomains: ['  Shop.Example.com  '] });
    expect(originAllowed(d, 'https://shop.example.com', undefined)).toBe(true);
  });

  it('an entry pasted as a page address (its query holding another URL) matches its host', () => {
    const d = deployment({ allowedDomains: ['shop.example.com/login?next=https://idp.test/cb'] });
    expect(originAllowed(d, 'https://shop.example.com', undefined)).toBe(true);
  });

  it('a wildcard entry written with a scheme matches subdomains only', () => {
    const d = deployment({ allowedDomains: ['https://*.brand.test'] });
    expect(originAllowed(d, 'https://a.brand.test', undefined)).toBe(true);
    expect(originAllowed(d, 'https://brand.test', undefined)).toBe(false);
  });

  it('an opaque Origin ("null", sent by sandboxed frames) is refused even if "null" is listed', () => {
    const d = deployment({ allowedDomains: ['null'] });
    expect(originAllowed(d, 'null', undefined)).toBe(false);
    expect(originAllowed(d, 'null', 'null')).toBe(false);
  });

  it('an Origin without a host name matches nothing, not even an entry without one', () => {
    const d = deployment({ allowedDomains: ['file:///srv/page.html'] });
    expect(originAllowed(d, 'file://', undefined)).toBe(false);
  });
});

describe('custom attribute bytes (maxCustomDataBytes)', () => {
  it('counts UTF-8 bytes of every key and value', () => {
    expect(customDataBytes({})).toBe(0);
    expect(customDataBytes({ ab: 'cde' })).toBe(5);
    expect(customDataBytes({ k: 'é', ü: '€' })).toBe(1 + 2 + 2 + 3);
  });
});

describe('guest JWT verdicts', () => {
  /** A keeper holding a known key, so a test can forge tokens the emulator would or would not accept. */
  const KEY_HEX = 'ab'.repeat(32);
  const keeper = (): KeyKeeper => {
    const keys = new Map([['webmessaging.guestJwt.hs256', KEY_HEX]]);
    return { get: (name) => keys.get(name), set: (name, value) => void keys.set(name, value) };
  };

  async function verdict(jwt: GuestJwt, header: string | undefined): Promise<string> {
    return jwt.verify(header).then(
      (sub) => `ok ${sub}`,
      (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : `threw ${String(e)}`),
    );
  }

  it('accepts its own JWT with "bearer" in any case, and expires it after 15 minutes exactly', async () => {
    const clock = new ManualClock(T0);
    const jwt = new GuestJwt(clock);
    const { jwt: token, exp } = await jwt.issue('session-1', 'dep-1');
    expect(exp).toBe(T0 / 1000 + 900);
    expect(await verdict(jwt, `bearer ${token}`)).toBe('ok session-1');
    expect(await verdict(jwt, `Bearer   ${token}  `)).toBe('ok session-1');
    clock.advance(899_000);
    expect(await verdict(jwt, `bearer ${token}`)).toBe('ok session-1');
    clock.advance(1000);
    expect(await verdict(jwt, `bearer ${token}`)).toBe('401 credentials.expired');
  });

  it('a missing or malformed header asks for authentication; a wrong token is bad credentials', async () => {
    const jwt = new GuestJwt(new ManualClock(T0));
    expect(await verdict(jwt, undefined)).toBe('401 authentication.required');
    expect(await verdict(jwt, '   ')).toBe('401 authentication.required');
    expect(await verdict(jwt, 'Basic abc')).toBe('401 authentication.required');
    expect(await verdict(jwt, 'bearer a b')).toBe('401 authentication.required');
    expect(await verdict(jwt, 'bearer not-a-jwt')).toBe('401 bad.credentials');
  });

  it('a JWT from another emulator instance is refused; one from before a restart with the data dir key is accepted', async () => {
    const clock = new ManualClock(T0);
    const before = new GuestJwt(clock, keeper);
    const { jwt: token } = await before.issue('session-2', 'dep-1');
    expect(await verdict(new GuestJwt(clock, keeper), `bearer ${token}`)).toBe('ok session-2');
    expect(await verdict(new GuestJwt(clock), `bearer ${token}`)).toBe('401 bad.credentials');
  });

  it('the key made on first use is kept in the data dir for the next start', async () => {
    const kept = new Map<string, string>();
    const jwt = new GuestJwt(new ManualClock(T0), () => ({
      get: (name) => kept.get(name),
      set: (name, value) => void kept.set(name, value),
    }));
    await jwt.issue('s', 'd');
    expect([...kept.keys()]).toEqual(['webmessaging.guestJwt.hs256']);
    expect(kept.get('webmessaging.guestJwt.hs256')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a token signed with the right key but the wrong issuer, audience, algorithm or no subject is bad credentials', async () => {
    const clock = new ManualClock(T0);
    const jwt = new GuestJwt(clock, keeper);
    const key = new Uint8Array(Buffer.from(KEY_HEX, 'hex'));
    const iat = T0 / 1000;
    const sign = (claims: { iss?: string; aud?: string; sub?: string }, alg = 'HS256') => {
      let builder = new SignJWT({})
        .setProtectedHeader({ alg })
        .setIssuedAt(iat)
        .setExpirationTime(iat + 900);
      if (claims.iss) builder = builder.setIssuer(claims.iss);
      if (claims.aud) builder = builder.setAudience(claims.aud);
      if (claims.sub) builder = builder.setSubject(claims.sub);
      return builder.sign(key);
    };
    const iss = 'urn:genesys-cloud-emulator:webmessaging';
    const aud = 'webmessaging-guest';
    expect(await verdict(jwt, `bearer ${await sign({ iss, aud, sub: 's' })}`)).toBe('ok s');
    expect(await verdict(jwt, `bearer ${await sign({ iss: 'other', aud, sub: 's' })}`)).toBe(
      '401 bad.credentials',
    );
    expect(await verdict(jwt, `bearer ${await sign({ iss, aud: 'other', sub: 's' })}`)).toBe(
      '401 bad.credentials',
    );
    expect(await verdict(jwt, `bearer ${await sign({ iss, aud })}`)).toBe('401 bad.credentials');
    expect(await verdict(jwt, `bearer ${await sign({ iss, aud, sub: 's' }, 'HS512')}`)).toBe(
      '401 bad.credentials',
    );
  });
});
