import { type CryptoKey, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI } from 'jose';

export interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** A key pair as PEM text: what crosses to another thread (guestSigningKeys.adopt). */
export interface GuestSigningKeysPem {
  privateKey: string;
  publicKey: string;
}

/**
 * One RSA key pair per thread, made on first use: generating one costs 100-500 ms of CPU, which every
 * test and scenario emulator would otherwise pay again. Sharing it between emulators is harmless: tokens
 * still name their conversation, member and deployment, each emulator signs with its own `kid` and
 * accepts only that one.
 */
let shared: Promise<KeyPair> | undefined;

export function processKeyPair(): Promise<KeyPair> {
  shared ??= makePair();
  return shared;
}

/**
 * The WebChat guest-token signing keys of this thread, for a caller that starts many emulators: make
 * them ahead of the first WebChat guest (on the thread pool, while other work goes on), or hand them to
 * worker threads that run emulators too, so each does not make its own (the scenario runner's pool).
 */
export const guestSigningKeys = {
  /** Starts making the pair now, unless it exists; a failure shows at the first guest that needs it. */
  prepare(): void {
    processKeyPair().catch(() => {});
  },
  /** The pair as PEM text (made first if need be). */
  async export(): Promise<GuestSigningKeysPem> {
    const pair = await processKeyPair();
    return { privateKey: await exportPKCS8(pair.privateKey), publicKey: await exportSPKI(pair.publicKey) };
  },
  /** Uses a pair another thread exported, unless this thread has one already. */
  adopt(pem: GuestSigningKeysPem): void {
    shared ??= importPair(pem);
  },
  /**
   * Another thread is making the pair and will send it: until it comes, a guest here waits for it
   * rather than this thread making a pair of its own. Call the returned function with the pair, or with
   * undefined (the other thread could not make one) to make one here after all.
   */
  expect(): (pem: GuestSigningKeysPem | undefined) => void {
    if (shared) return () => {};
    let arrive!: (pem: GuestSigningKeysPem | undefined) => void;
    shared = new Promise<GuestSigningKeysPem | undefined>((resolve) => {
      arrive = resolve;
    }).then((pem) => (pem ? importPair(pem) : makePair()));
    return arrive;
  },
};

/** A new pair; extractable, so an emulator with a data dir can keep it there (and another thread can adopt it). */
function makePair(): Promise<KeyPair> {
  return generateKeyPair('RS256', { extractable: true });
}

async function importPair(pem: GuestSigningKeysPem): Promise<KeyPair> {
  return {
    privateKey: await importPKCS8(pem.privateKey, 'RS256', { extractable: true }),
    publicKey: await importSPKI(pem.publicKey, 'RS256', { extractable: true }),
  };
}
