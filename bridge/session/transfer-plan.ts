import type { ResolvedBridgeConfig } from '../config.ts';
import { failure } from '../errors.ts';
import {
  buildTransferAttributes,
  type FittedMetadata,
  fitMetadata,
  type TransferAttributes,
} from '../metadata.ts';
import { planTranscript } from '../transcript.ts';
import type { StartTransferRequest } from '../types.ts';
import { splitText } from './split-text.ts';

/**
 * Everything decided before a single byte goes to Genesys: the participant data (checked against the
 * byte budget), the queue, and the texts that open the conversation. Refusals (oversize or invalid
 * metadata, text too long) throw here, so a refused transfer sends nothing.
 */
export interface TransferPlan {
  transfer: TransferAttributes;
  fitted: FittedMetadata;
  /** Opening texts in order: transcript/summary, then the customer's initial message. */
  startTexts: string[];
}

/**
 * Genesys announces its budget in SessionResponse; until then Web Messaging uses the 2048 bytes seen in
 * real replies. Open Messaging announces none (UNCONFIRMED limit): the same 2048 bytes apply.
 */
export const DEFAULT_WEB_MESSAGING_BUDGET = 2048;

export function configuredBudget(config: ResolvedBridgeConfig): number | undefined {
  const configured = config.settings.metadata.maxBytes;
  return config.channel === 'webChat' ? configured : (configured ?? DEFAULT_WEB_MESSAGING_BUDGET);
}

export function planTransfer(
  request: StartTransferRequest,
  config: ResolvedBridgeConfig,
  sessionId: string,
): TransferPlan {
  const { settings } = config;
  const transcript = planTranscript(
    settings.transcript,
    {
      sessionId,
      botConversationId: request.botConversationId,
      ...(request.summary !== undefined ? { summary: request.summary } : {}),
      ...(request.transcript ? { transcript: request.transcript } : {}),
    },
    settings.limits.maxTextLength,
  );

  const transfer = buildTransferAttributes(
    {
      ...(request.metadata ? { metadata: request.metadata } : {}),
      ...(request.queueName !== undefined ? { queueName: request.queueName } : {}),
      ...(settings.queueName !== undefined ? { defaultQueueName: settings.queueName } : {}),
      ...(transcript.attribute ? { extra: { [transcript.attribute.key]: transcript.attribute.value } } : {}),
    },
    settings.metadata,
  );
  if (config.channel === 'webChat' && transfer.queueName === undefined) {
    throw failure(
      'INVALID_REQUEST',
      'a WebChat transfer needs a queue: set queueName in the request or the configuration',
    );
  }
  const fitted = fitMetadata(transfer, {
    budgetBytes: configuredBudget(config),
    rule: settings.metadata.sizeRule,
    onOversize: settings.metadata.onOversize,
  });

  const startTexts = [...transcript.messages];
  const initial = request.initialMessage?.trim();
  if (initial) {
    const max = settings.limits.maxTextLength;
    if (initial.length > max && settings.limits.longText === 'reject') {
      throw failure(
        'MESSAGE_TOO_LONG',
        `initialMessage is ${initial.length} characters; the limit is ${max}`,
        {
          correctiveAction: 'Shorten the message or set limits.longText to "split"',
        },
      );
    }
    startTexts.push(...splitText(initial, max));
  }
  // Web Messaging and Open Messaging route (and store participant data) only on an inbound message.
  if (startTexts.length === 0 && config.channel !== 'webChat')
    startTexts.push(settings.transcript.handoffText);
  return { transfer, fitted, startTexts };
}
