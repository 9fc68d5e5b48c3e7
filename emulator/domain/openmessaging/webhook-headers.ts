import { validateHeaderName, validateHeaderValue } from 'node:http';
import { z } from 'zod';

/** Whether node:http accepts the header (it throws on names that are not HTTP tokens, values with CR/LF). */
function sendable(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

/**
 * An Open Messaging integration's webhookHeaders, sent with every webhook delivery. A name or value HTTP
 * cannot carry is refused where it is given (the API's 400, a fixture load error): accepted, it would
 * make every delivery of the integration fail before it leaves. (UNCONFIRMED what Genesys answers;
 * refusing is the plausible reading, since it could not send such a header either.)
 */
export const webhookHeadersSchema = z
  .record(z.string().min(1).max(256), z.string().max(4096))
  .superRefine((headers, context) => {
    for (const [name, value] of Object.entries(headers)) {
      if (!sendable(name, value)) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `webhook header ${JSON.stringify(name)} cannot be sent over HTTP (a name must be a token, a value must not hold line breaks)`,
        });
      }
    }
  });
