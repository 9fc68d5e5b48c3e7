import { MatchersV3 } from '@pact-foundation/pact';
import { EXAMPLE } from './examples.ts';

const { integer, like } = MatchersV3;

/**
 * Replies the Web Messaging contracts declare and other consumer tests need as stand-ins: every test
 * opens its adapter with configureSession first, and the history test fetches a JWT over the socket.
 * Declared once, so the stand-in is exactly the contract's example (`reify`).
 */
export function sessionResponse(tracingId: string) {
  return {
    class: 'SessionResponse',
    tracingId,
    body: { connected: true, maxCustomDataBytes: integer(2048) },
  };
}

export function jwtResponse(tracingId: string, jwt: string = EXAMPLE.jwt) {
  return {
    class: 'JwtResponse',
    tracingId,
    body: { jwt: like(jwt), exp: integer(EXAMPLE.jwtExpSeconds) },
  };
}
