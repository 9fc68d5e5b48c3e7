import type { MessengerDeployment } from '../../config/fixture-schema.ts';
import { DEFAULT_SESSION_DURATION_SECONDS } from './limits.ts';

/**
 * What a Messenger deployment decides for the guest socket (guest-protocols.md §2.2, §2.9;
 * platform-architect.md §5.2): whether it serves at all, which page origins may connect, how long a
 * guest session lives and what happens when the other side disconnects.
 */

/** Only an Active deployment serves guests; Pending, Inactive, Error and Deleting refuse. */
export function serves(deployment: MessengerDeployment | undefined): deployment is MessengerDeployment {
  return deployment?.status === 'Active';
}

export function sessionDurationSeconds(deployment: MessengerDeployment): number {
  return deployment.sessionDurationSeconds ?? DEFAULT_SESSION_DURATION_SECONDS;
}

/**
 * The `Origin` check at upgrade. Browsers always send Origin, so a listed deployment refuses pages on
 * other sites. Non-browser clients must still get through (§2.2): no Origin at all is accepted, and so
 * is an Origin naming the host the client connected to, which is what the Android transport SDK sends.
 * Entries match the origin's host name exactly, case-insensitively; `*.example.com` matches subdomains
 * (the exact wildcard rules are UNCONFIRMED).
 */
export function originAllowed(
  deployment: MessengerDeployment,
  origin: string | undefined,
  host: string | undefined,
): boolean {
  if (deployment.allowAllDomains) return true;
  if (origin === undefined) return true;
  const originHost = hostName(origin);
  if (originHost === undefined) return false;
  if (host !== undefined && originHost === hostName(host)) return true;
  return deployment.allowedDomains.some((entry) => {
    const allowed = hostName(entry);
    if (allowed === undefined) return false;
    if (allowed.startsWith('*.')) return originHost.endsWith(allowed.slice(1));
    return originHost === allowed;
  });
}

/** The host name of an origin, a URL or a bare `host[:port]`; undefined for "null" and garbage. */
function hostName(value: string): string | undefined {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'null') return undefined;
  // A wildcard entry is not a valid URL host; keep its "*." and parse the rest.
  const wildcard = text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?\*\./, '$1');
  const prefix = wildcard === text ? '' : '*.';
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//.test(wildcard) ? wildcard : `https://${wildcard}`);
    return url.hostname === '' ? undefined : prefix + url.hostname;
  } catch {
    return undefined;
  }
}
