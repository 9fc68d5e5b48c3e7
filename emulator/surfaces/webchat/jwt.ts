import { hash, randomUUID } from 'node:crypto';
import { exportPKCS8, exportSPKI, importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Clock } from '../../domain/clock.ts';
import { ApiError, errors } from '../../domain/errors.ts';
import type { KeyKeeper } from '../webmessaging/guest-jwt.ts';
import { type KeyPair, processKeyPair } from './signing-keys.ts';

/** What a guest token says: which conversation, deployment, member and org it was issued for. */
export interface GuestClaims {
  conversationId: string;
  deploymentId: string;
  memberId: string;
  organizationId: string;
}

export const GUEST_TOKEN_ISSUER = 'urn:purecloud:webchat';
/** A real token lived about 21.9 h (guest-protocols.md §1.4); the general lifetime is UNCONFIRMED. */
export const GUEST_TOKEN_LIFETIME_SECONDS = 24 * 3600;

const Payload = z.object({
  data: z.object({ conv: z.string().min(1), did: z.string().min(1), sub: z.string().min(1) }),
  org: z.string().min(1),
});

/** Names in a data dir's key file: the key pair (PEM) and this emulator's key id. */
const KEY_NAME = 'webchat.guestToken.rs256';
const KID_NAME = 'webchat.guestToken.kid';

/**
 * Guest JWTs shaped like Genesys's: RS256, header {alg, kid, typ}, payload
 * {data: {conv, did, sub}, exp, iat, iss: urn:purecloud:webchat, org}. The RSA key pair is made on
 * the first chat rather than at start-up and shared by every emulator in the process: generating one
 * measured 100-560 ms here, against ~0.5 ms to sign and ~0.2 ms to verify. Each instance signs with its
 * own `kid` and accepts only that kid, so a token from another emulator is still refused. Times come
 * from the emulator clock, so a ManualClock can expire tokens. With a data dir the pair and the kid are
 * kept in its key file, so a guest's token from before a restart still verifies after it.
 */
export class GuestTokens {
  readonly #clock: Clock;
  readonly #keeper: () => KeyKeeper | undefined;
  /** Tokens already checked: digest -> claims and expiry (ms), oldest first. */
  readonly #verified = new Map<string, { claims: GuestClaims; expiresAt: number }>();
  #keys: Promise<KeyPair> | undefined;
  #kidValue: string | undefined;

  constructor(clock: Clock, keeper: () => KeyKeeper | undefined = () => undefined) {
    this.#clock = clock;
    this.#keeper = keeper;
  }

  /** This instance's key id: random (so no seeded id sequence shifts), or the data dir's. */
  get #kid(): string {
    if (this.#kidValue === undefined) {
      const keeper = this.#keeper();
      this.#kidValue = keeper?.get(KID_NAME) ?? randomUUID();
      if (keeper && keeper.get(KID_NAME) === undefined) keeper.set(KID_NAME, this.#kidValue);
    }
    return this.#kidValue;
  }

  /** Resolves once the key pair exists; create-chat awaits it before changing anything. */
  ready(): Promise<void> {
    return this.#keyPair().then(() => undefined);
  }

  async sign(claims: GuestClaims): Promise<string> {
    const { privateKey } = await this.#keyPair();
    const kid = this.#kid;
    const nowSeconds = Math.floor(this.#clock.now() / 1000);
    return new SignJWT({
      data: { conv: claims.conversationId, did: claims.deploymentId, sub: claims.memberId },
      org: claims.organizationId,
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(GUEST_TOKEN_ISSUER)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + GUEST_TOKEN_LIFETIME_SECONDS)
      .sign(privateKey);
  }

  /**
   * Checks signature, issuer and expiry on the emulator clock. Anything not issued by this instance
   * is `bad.credentials`; a token past `exp` is `credentials.expired`.
   */
  async verify(token: string): Promise<GuestClaims> {
    // No chat was ever created (here, or before a restart on this data dir): no token can be ours, and
    // there is no reason to make keys now.
    if (!this.#keys && this.#keeper()?.get(KEY_NAME) === undefined) throw errors.badCredentials();
    // An RS256 check costs ~0.3 ms, the largest share of a guest call; a token checked once is
    // remembered (by digest) until it expires on the emulator clock.
    const digest = hash('sha1', token, 'base64');
    const known = this.#verified.get(digest);
    if (known) {
      if (this.#clock.now() < known.expiresAt) return known.claims;
      this.#verified.delete(digest);
      throw errors.credentialsExpired();
    }
    const checked = await this.#verifySignature(token);
    if (this.#verified.size >= VERIFIED_CACHE_MAX) this.#verified.delete(this.#verified.keys().next().value!);
    this.#verified.set(digest, checked);
    return checked.claims;
  }

  async #verifySignature(token: string): Promise<{ claims: GuestClaims; expiresAt: number }> {
    const { publicKey } = await this.#keyPair();
    let payload: unknown;
    try {
      let kid: string | undefined;
      ({ payload } = await jwtVerify(
        token,
        (header) => {
          kid = header.kid;
          return publicKey;
        },
        {
          algorithms: ['RS256'],
          issuer: GUEST_TOKEN_ISSUER,
          requiredClaims: ['exp'],
          currentDate: new Date(this.#clock.now()),
        },
      ));
      if (kid !== this.#kid) throw errors.badCredentials();
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if ((e as { code?: string }).code === 'ERR_JWT_EXPIRED') throw errors.credentialsExpired();
      throw errors.badCredentials();
    }
    const parsed = Payload.safeParse(payload);
    if (!parsed.success) throw errors.badCredentials();
    const { data, org } = parsed.data;
    return {
      claims: { conversationId: data.conv, deploymentId: data.did, memberId: data.sub, organizationId: org },
      expiresAt: ((payload as { exp: number }).exp ?? 0) * 1000,
    };
  }

  #keyPair(): Promise<KeyPair> {
    this.#keys ??= this.#keptKeyPair();
    return this.#keys;
  }

  /** The data dir's pair when it has one; else the process's, written to the data dir if there is one. */
  async #keptKeyPair(): Promise<KeyPair> {
    const keeper = this.#keeper();
    const kept = keeper?.get(KEY_NAME);
    if (kept !== undefined) {
      const { privateKey, publicKey } = JSON.parse(kept) as { privateKey: string; publicKey: string };
      return {
        privateKey: await importPKCS8(privateKey, 'RS256'),
        publicKey: await importSPKI(publicKey, 'RS256'),
      };
    }
    const pair = await processKeyPair();
    if (keeper) {
      const pem = {
        privateKey: await exportPKCS8(pair.privateKey),
        publicKey: await exportSPKI(pair.publicKey),
      };
      keeper.set(KEY_NAME, JSON.stringify(pem));
    }
    return pair;
  }
}

/** Bounds the verified-token memory (one entry per live guest token is plenty). */
const VERIFIED_CACHE_MAX = 20_000;
