import { describe, expect, it } from 'vitest';
import { resolveBridgeConfig } from '../../../bridge/config.ts';
import { planTransfer } from '../../../bridge/session/transfer-plan.ts';
import { planTranscript, renderTranscript, type TranscriptOptions } from '../../../bridge/transcript.ts';
import type { TranscriptEntry } from '../../../bridge/types.ts';
import { webMessagingConfig } from './fake-adapter.ts';

const transcript: TranscriptEntry[] = [
  { role: 'customer', text: 'Hi' },
  { role: 'bot', text: 'Hello! How can I help?' },
  { role: 'customer', text: 'My invoice\n123 is wrong' },
];

const options = (overrides: Record<string, unknown> = {}): TranscriptOptions =>
  resolveBridgeConfig(webMessagingConfig({ transcript: overrides })).settings.transcript;

const input = { sessionId: 's 1', botConversationId: 'bot/9', transcript, summary: 'Invoice dispute' };

describe('transcript rendering', () => {
  it('renders a summary message with one line per turn', () => {
    expect(planTranscript(options(), input, 4000)).toEqual({
      messages: [
        'Summary: Invoice dispute\nBot transcript:\nCustomer: Hi\nBot: Hello! How can I help?\nCustomer: My invoice 123 is wrong',
      ],
    });
  });

  it('drops the oldest lines first when the transcript is too long, saying so', () => {
    const text = renderTranscript(transcript, 80, 'Bot transcript:');
    expect(text).toBe('Bot transcript:\n[2 earlier lines omitted]\nCustomer: My invoice 123 is wrong');
    expect(text.length).toBeLessThanOrEqual(80);
  });

  it('builds a link from the template with encoded ids', () => {
    expect(
      planTranscript(
        options({ mode: 'link', linkTemplate: 'https://bot.example/t/{sessionId}?c={botConversationId}' }),
        input,
        4000,
      ),
    ).toEqual({
      messages: ['Summary: Invoice dispute\nBot conversation: https://bot.example/t/s%201?c=bot%2F9'],
    });
  });

  it('puts the transcript into participant data and sends only the summary', () => {
    const plan = planTranscript(options({ mode: 'participantData', attributeKey: 'History' }), input, 4000);
    expect(plan.messages).toEqual(['Summary: Invoice dispute']);
    expect(plan.attribute?.key).toBe('History');
    expect(plan.attribute?.value).toContain('Customer: My invoice 123 is wrong');
  });

  it('sends nothing but the summary in none mode', () => {
    expect(planTranscript(options({ mode: 'none' }), { ...input, summary: undefined }, 4000)).toEqual({
      messages: [],
    });
  });
});

describe('transfer planning', () => {
  const config = resolveBridgeConfig(webMessagingConfig({ transcript: { mode: 'participantData' } }));

  it('adds the transcript attribute to the metadata and orders the opening texts', () => {
    const plan = planTransfer(
      {
        idempotencyKey: 'k',
        botConversationId: 'b',
        customer: { id: 'c' },
        transcript,
        summary: 'S',
        initialMessage: ' help ',
      },
      config,
      's1',
    );
    expect(plan.startTexts).toEqual(['Summary: S', 'help']);
    expect(Object.keys(plan.fitted.attributes)).toEqual(['BotTranscript', 'QueueName']);
  });

  it('lets explicit metadata win over the transcript attribute', () => {
    const plan = planTransfer(
      {
        idempotencyKey: 'k',
        botConversationId: 'b',
        customer: { id: 'c' },
        transcript,
        metadata: { BotTranscript: 'mine' },
      },
      config,
      's1',
    );
    expect(plan.fitted.attributes['BotTranscript']).toBe('mine');
  });

  it('refuses an initial message over the text limit unless splitting is on', () => {
    const request = {
      idempotencyKey: 'k',
      botConversationId: 'b',
      customer: { id: 'c' },
      initialMessage: 'x'.repeat(30),
    };
    const strict = resolveBridgeConfig(webMessagingConfig({ limits: { maxTextLength: 20 } }));
    expect(() => planTransfer(request, strict, 's1')).toThrow(/MESSAGE_TOO_LONG/);
    const split = resolveBridgeConfig(
      webMessagingConfig({ limits: { maxTextLength: 20, longText: 'split' } }),
    );
    expect(planTransfer(request, split, 's1').startTexts).toEqual(['x'.repeat(20), 'x'.repeat(10)]);
  });
});
