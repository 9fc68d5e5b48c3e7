import { Verifier } from '@pact-foundation/pact';
import { messageProviders } from './message-providers.ts';
import { Stage } from './stage.ts';
import { stateHandlers } from './state-handlers.ts';
import type { ProviderWorld } from './world.ts';

/** One interaction's verdict, as Pact's verifier reports it. */
export interface InteractionResult {
  description: string;
  result: string;
}

export interface VerificationOutcome {
  passed: boolean;
  results: InteractionResult[];
  /** Descriptions of the interactions that failed, with Pact's mismatch text. */
  failures: { interaction: string; mismatches: string[] }[];
}

/**
 * Verifies one pact file against a world: HTTP interactions go to the world's REST base (through Pact's
 * proxy), provider states and messages are played by a fresh Stage per interaction.
 */
export async function verifyPact(pactFile: string, world: ProviderWorld): Promise<VerificationOutcome> {
  let stage = new Stage(world);
  const verifier = new Verifier({
    providerBaseUrl: world.apiBase,
    pactUrls: [pactFile],
    logLevel: 'error',
    requestFilter: keepEmptyBodiesEmpty,
    beforeEach: async () => {
      stage = new Stage(world);
      await world.reset();
    },
    afterEach: () => stage.close(),
    stateHandlers: stateHandlers(() => stage),
    messageProviders: messageProviders(() => stage),
  });
  try {
    return outcome(await verifier.verifyProvider(), true);
  } catch (thrown) {
    return outcome(thrown instanceof Error ? thrown.message : String(thrown), false);
  } finally {
    await stage.close();
  }
}

/**
 * Pact's verification proxy re-streams every request body; a request that had none (the bridge's typing
 * POST) would leave it chunked with no Content-Type, which is not what the bridge sends and which a server
 * may refuse (fastify answers 415). Marked `Content-Length: 0`, it reaches the provider as it left the
 * consumer: a POST without a body. A request with a Content-Type has a body (a form's carries no length).
 */
function keepEmptyBodiesEmpty(request: Request, _response: unknown, next: () => void): void {
  const headers = request.headers;
  const noBody =
    headers['transfer-encoding'] === undefined &&
    headers['content-type'] === undefined &&
    (headers['content-length'] === undefined || headers['content-length'] === '0');
  if (noBody) {
    request.body = undefined;
    headers['content-length'] = '0';
  }
  // The proxy parses a form body into an object and would send it on as JSON text under the form's
  // Content-Type (the Platform API login): it goes on as the form it was.
  const type = String(headers['content-type'] ?? '');
  if (type.startsWith('application/x-www-form-urlencoded') && isPlainObject(request.body)) {
    const form = Buffer.from(new URLSearchParams(request.body as Record<string, string>).toString());
    request.body = form;
    headers['content-length'] = String(form.length);
  }
  next();
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !Array.isArray(value);
}

type Request = { headers: Record<string, string | string[] | undefined>; body?: unknown };

interface VerifierJson {
  interactionResults?: InteractionResult[];
  errors?: { interaction: string; mismatch?: { mismatches?: { mismatch?: string }[]; message?: string } }[];
}

function outcome(raw: unknown, passed: boolean): VerificationOutcome {
  let json: VerifierJson;
  try {
    json = JSON.parse(String(raw)) as VerifierJson;
  } catch {
    // Not the verifier's report: the verification could not run at all.
    return {
      passed: false,
      results: [],
      failures: [{ interaction: '(verification)', mismatches: [String(raw)] }],
    };
  }
  return {
    passed,
    results: json.interactionResults ?? [],
    failures: (json.errors ?? []).map((e) => ({
      interaction: e.interaction,
      mismatches: [
        ...(e.mismatch?.mismatches ?? []).map((m) => m.mismatch ?? JSON.stringify(m)),
        ...(e.mismatch?.message ? [e.mismatch.message] : []),
      ],
    })),
  };
}
