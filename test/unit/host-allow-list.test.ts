import { describe, expect, it } from 'vitest';
import { hostAllowList, hostnameOf } from '../../emulator/surfaces/local-only.ts';

/**
 * The Host allow-list of the console and the control plane (DNS rebinding guard): what counts as the
 * emulator's own name. The integration test (local-only-guard.test.ts) shows the refusals on the wire;
 * this pins the name rules, including the `--host` name, which a test cannot listen on.
 */
describe('hostAllowList', () => {
  it('allows the name the emulator listens on (--host), with or without a port', () => {
    const allowed = hostAllowList({ host: 'devbox.lan', allowedHosts: [] });
    expect(allowed('devbox.lan:8080')).toBe(true);
    expect(allowed('DEVBOX.LAN')).toBe(true);
    expect(allowed('devbox.lan.:8080')).toBe(true);
    expect(allowed('other.lan:8080')).toBe(false);
    expect(allowed('sub.devbox.lan')).toBe(false);
  });

  it('always allows loopback names and IP literals; nothing else without allowedHosts', () => {
    const allowed = hostAllowList({ allowedHosts: [] });
    for (const host of [
      'localhost',
      'localhost:1',
      'a.localhost:2',
      '127.0.0.1:8080',
      '[::1]:8080',
      '10.0.0.7',
    ])
      expect(allowed(host), host).toBe(true);
    for (const host of ['example.com', 'localhost.example.com', '127.0.0.1.nip.io', 'evil.example:8080'])
      expect(allowed(host), host).toBe(false);
  });

  it('allowedHosts: exact names, and a leading dot for a name with its subdomains', () => {
    const allowed = hostAllowList({ allowedHosts: ['Emulator.Test', '.dev.test'] });
    expect(allowed('emulator.test:8080')).toBe(true);
    expect(allowed('x.emulator.test:8080')).toBe(false);
    expect(allowed('dev.test')).toBe(true);
    expect(allowed('a.b.dev.test:1')).toBe(true);
    expect(allowed('xdev.test')).toBe(false);
  });

  it('refuses what is not a host (userinfo, paths, spaces) and lets a request without Host through', () => {
    const allowed = hostAllowList({ allowedHosts: [] });
    for (const host of ['evil.example@127.0.0.1', '127.0.0.1/x', '127.0.0.1 evil', '', 'localhost:99999'])
      expect(allowed(host), host).toBe(false);
    expect(allowed(undefined)).toBe(true);
    expect(hostnameOf('[::1]:80')).toBe('::1');
  });
});
