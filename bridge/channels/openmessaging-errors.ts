import { type BridgeFailure, bridgeError, failure } from '../errors.ts';
import { genesysErrorCode } from '../http/http-client.ts';
import { NotDeliveredFailure, UnconfirmedFailure } from '../session/channel-adapter.ts';

/**
 * A non-2xx answer of the Open Messaging inbound API as the bridge's error (platform-extra.md §1.3,
 * platform-architect.md §1.4). 429 and 503 are refusals: Genesys did not take the message, so it is sent
 * again after Retry-After (NotDelivered). Another 5xx may have been applied: it is looked up before it is
 * sent again (Unconfirmed). A 400 names the field Genesys refused.
 */
export function openMessagingFailure(status: number, body: unknown, retryAfterMs?: number): BridgeFailure {
  const { code, message } = genesysErrorCode(body);
  const provider = { code: code ?? status, ...(typeof body === 'string' ? { body } : {}) };
  const text = message ?? `Genesys answered ${status}${code ? ` ${code}` : ''}`;
  const wait = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (status === 429)
    return new NotDeliveredFailure(bridgeError('RATE_LIMITED', text, { retryable: true, ...wait, provider }));
  if (status === 503)
    return new NotDeliveredFailure(
      bridgeError('PROVIDER_UNAVAILABLE', text, { retryable: true, ...wait, provider }),
    );
  if (status >= 500)
    return new UnconfirmedFailure(bridgeError('PROVIDER_UNAVAILABLE', text, { retryable: true, provider }));
  if (status === 401) return failure('AUTH_FAILED', text, { provider });
  if (status === 403)
    return failure('FORBIDDEN', text, {
      provider,
      correctiveAction: 'Give the platformApi client the conversation:message:receive permission',
    });
  if (status === 404)
    return failure('CONFIG_INVALID', text, {
      provider,
      correctiveAction:
        'Check openMessaging.integrationId: it must be an Open Messaging integration of this org',
    });
  const field = fieldOf(body);
  if (field === 'channel.metadata.customAttributes') return failure('METADATA_TOO_LARGE', text, { provider });
  if (field === 'text') return failure('MESSAGE_TOO_LONG', text, { provider });
  return failure('INVALID_REQUEST', text, { provider });
}

function fieldOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const details = (body as { details?: unknown }).details;
  if (!Array.isArray(details)) return undefined;
  const first = details.find((d) => typeof d === 'object' && d !== null && 'fieldName' in d) as
    | { fieldName?: unknown }
    | undefined;
  return typeof first?.fieldName === 'string' ? first.fieldName : undefined;
}
