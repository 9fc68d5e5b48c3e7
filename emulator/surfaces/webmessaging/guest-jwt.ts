import { randomBytes } from 'node:crypto';
import { errors as jose, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../../domain/clock.ts';
import { errors } from '../../domain/errors.ts';
import { GUEST_JWT_LIFETIME_SECONDS } from './limits.ts';

/** The key's name in a data dir's key file. */
const KEY_NAME = 'webmessaging.guestJwt.hs256';

/** Where a key that must survive a restart is kept (a data dir's key file); none without one. */
export interface KeyKeeper {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

const ISSUER = 'urn:genesys-cloud-emulator:webmessaging';
const AUDIENCE = 'webmessaging-guest';

/**
 * The guest JWT that `getJwt` hands out and the history endpoint accepts (guest-protocols.md §2.4,
 * §2.8). HS256 with a key made per emulator instance (kept in the data dir, when there is one, so a JWT
 * from before a restart still reads the history); the subject is the guest session's id, never the
 * guest token. Issue and expiry follow the emulator clock, so a test can let a JWT expire by advancing
 * time.
 */
export class GuestJwt {
  readonly #clock: Clock;
  readonly #keeper: () => KeyKeeper | undefined;
  #secret: Uint8Array | undefined;

  constructor(clock: Clock, keeper: () => KeyKeeper | undefined = () => undefined) {
    this.#clock = clock;
    this.#keeper = keeper;
  }

  /** Made (or read back from the data dir) on first use: after the data dir is open. */
  get #key(): Uint8Array {
    if (this.#secret) return this.#secret;
    const keeper = this.#keeper();
    let hex = keeper?.get(KEY_NAME);
    if (hex === undefined) {
      hex = randomBytes(32).toString('hex');
      keeper?.set(KEY_NAME, hex);
    }
    this.#secret = new Uint8Array(Buffer.from(hex, 'hex'));
    return this.#secret;
  }

  /** `exp` is epoch seconds, as JwtResponse carries it [M1]. */
  async issue(sessionId: string, deploymentId: string): Promise<{ jwt: string; exp: number }> {
    const iat = Math.floor(this.#clock.now() / 1000);
    const exp = iat + GUEST_JWT_LIFETIME_SECONDS;
    const jwt = await new SignJWT({ deploymentId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(sessionId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.#key);
    return { jwt, exp };
  }

  /**
   * Checks an `Authorization: bearer <jwt>` header (the mobile SDK writes "bearer" in lower case):
   * missing → authentication.required, expired on the emulator clock → credentials.expired, anything
   * else wrong → bad.credentials. Returns the session id.
   */
  async verify(header: string | undefined): Promise<string> {
    if (header === undefined || header.trim() === '') throw errors.authenticationRequired();
    const match = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw errors.authenticationRequired();
    try {
      const { payload } = await jwtVerify(match[1]!, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: new Date(this.#clock.now()),
        clockTolerance: 0,
      });
      if (typeof payload.sub !== 'string') throw errors.badCredentials();
      return payload.sub;
    } catch (e) {
      if (e instanceof jose.JWTExpired) throw errors.credentialsExpired();
      throw errors.badCredentials();
    }
  }
}
