/**
 * Genesys Cloud regions and the hosts derived from a login URL (platform-architect.md §1.5). Every
 * region serves login at `login.{domain}`, the REST API at `api.{domain}` and the Web Messaging guest
 * socket at `webmessaging.{domain}/v1`. A loopback `http://` login URL targets a local emulator that
 * serves REST and WebSocket on the same port.
 */
export interface GenesysRegion {
  /** The key Genesys's SDKs use, e.g. `eu_west_1`. */
  key: string;
  /** The cloud (AWS) region, e.g. `eu-west-1`. */
  awsRegion: string;
  domain: string;
}

export const GENESYS_REGIONS: readonly GenesysRegion[] = [
  { key: 'us_east_1', awsRegion: 'us-east-1', domain: 'mypurecloud.com' },
  { key: 'eu_west_1', awsRegion: 'eu-west-1', domain: 'mypurecloud.ie' },
  { key: 'ap_southeast_2', awsRegion: 'ap-southeast-2', domain: 'mypurecloud.com.au' },
  { key: 'ap_northeast_1', awsRegion: 'ap-northeast-1', domain: 'mypurecloud.jp' },
  { key: 'eu_central_1', awsRegion: 'eu-central-1', domain: 'mypurecloud.de' },
  { key: 'us_west_2', awsRegion: 'us-west-2', domain: 'usw2.pure.cloud' },
  { key: 'ca_central_1', awsRegion: 'ca-central-1', domain: 'cac1.pure.cloud' },
  { key: 'ap_northeast_2', awsRegion: 'ap-northeast-2', domain: 'apne2.pure.cloud' },
  { key: 'eu_west_2', awsRegion: 'eu-west-2', domain: 'euw2.pure.cloud' },
  { key: 'ap_south_1', awsRegion: 'ap-south-1', domain: 'aps1.pure.cloud' },
  { key: 'us_east_2', awsRegion: 'us-east-2', domain: 'use2.us-gov-pure.cloud' },
  { key: 'sa_east_1', awsRegion: 'sa-east-1', domain: 'sae1.pure.cloud' },
  { key: 'me_central_1', awsRegion: 'me-central-1', domain: 'mec1.pure.cloud' },
  { key: 'ap_northeast_3', awsRegion: 'ap-northeast-3', domain: 'apne3.pure.cloud' },
  { key: 'eu_central_2', awsRegion: 'eu-central-2', domain: 'euc2.pure.cloud' },
  { key: 'mx_central_1', awsRegion: 'mx-central-1', domain: 'mxc1.pure.cloud' },
  { key: 'ap_southeast_1', awsRegion: 'ap-southeast-1', domain: 'apse1.pure.cloud' },
  { key: 'eusc_de_east_1', awsRegion: 'eusc-de-east-1', domain: 'edee1.eusc-pure.cloud' },
];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The hosts a bridge talks to, all derived from the login URL. */
export interface GenesysHosts {
  /** `genesys` for a real region (known or not), `emulator` for a loopback http URL. */
  target: 'genesys' | 'emulator';
  /** Region domain such as `mypurecloud.ie`; for an emulator, `host:port`. */
  domain: string;
  /** The matching entry of GENESYS_REGIONS; absent for unknown domains and emulators. */
  region?: GenesysRegion;
  loginBase: string;
  /** REST base without trailing slash, e.g. `https://api.mypurecloud.ie`. */
  apiBase: string;
  /** Web Messaging guest socket without query, e.g. `wss://webmessaging.mypurecloud.ie/v1`. */
  webMessagingUrl: string;
}

export type LoginUrlProblem =
  | { kind: 'notUrl' }
  | { kind: 'badScheme'; protocol: string }
  | { kind: 'notLoginHost'; host: string; suggestion?: string };

export type LoginUrlParse =
  | { ok: true; hosts: GenesysHosts; ignoredPath: boolean }
  | { ok: false; problem: LoginUrlProblem };

export function regionForDomain(domain: string): GenesysRegion | undefined {
  return GENESYS_REGIONS.find((r) => r.domain === domain);
}

/** Finds the region whose domain ends a host name (`webmessaging.mypurecloud.ie` → eu_west_1). */
export function regionOfHost(host: string): GenesysRegion | undefined {
  // Longest domain first: `mypurecloud.com.au` must win over `mypurecloud.com`-like suffix checks.
  const byLength = [...GENESYS_REGIONS].sort((a, b) => b.domain.length - a.domain.length);
  return byLength.find((r) => host === r.domain || host.endsWith(`.${r.domain}`));
}

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

export function parseLoginUrl(raw: string): LoginUrlParse {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, problem: { kind: 'notUrl' } };
  }
  const ignoredPath = (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '';
  const hostname = url.hostname.toLowerCase();

  if (url.protocol === 'http:' && isLoopbackHost(hostname)) {
    const origin = `http://${url.host}`;
    return {
      ok: true,
      ignoredPath,
      hosts: {
        target: 'emulator',
        domain: url.host,
        loginBase: origin,
        apiBase: origin,
        webMessagingUrl: `ws://${url.host}/v1`,
      },
    };
  }
  if (url.protocol !== 'https:') return { ok: false, problem: { kind: 'badScheme', protocol: url.protocol } };

  const [first, ...rest] = hostname.split('.');
  const domain = rest.join('.');
  if (first !== 'login' || rest.length < 2) {
    const region = regionOfHost(hostname);
    const suggestion = region ? `https://login.${region.domain}` : undefined;
    return {
      ok: false,
      problem: { kind: 'notLoginHost', host: hostname, ...(suggestion ? { suggestion } : {}) },
    };
  }
  const region = regionForDomain(domain);
  return {
    ok: true,
    ignoredPath,
    hosts: {
      target: 'genesys',
      domain,
      ...(region ? { region } : {}),
      loginBase: `https://login.${domain}`,
      apiBase: `https://api.${domain}`,
      webMessagingUrl: `wss://webmessaging.${domain}/v1`,
    },
  };
}
