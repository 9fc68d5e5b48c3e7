import { describe, expect, it } from 'vitest';
import { BridgeConfigError, resolveBridgeConfig } from '../../../bridge/config.ts';
import { validateConfig } from '../../../bridge/index.ts';
import { planTransfer } from '../../../bridge/session/transfer-plan.ts';

/** The Open Messaging channel's settings: what it requires, what it picks by itself, what it ignores. */
const INTEGRATION = '0f8e2d7a-1b2c-4d3e-9f00-123456789abc';
const open = (extra: Record<string, unknown> = {}) => ({
  loginUrl: 'https://login.mypurecloud.ie',
  channel: 'openMessaging',
  platformApi: { clientId: 'client-id', clientSecret: 'client-secret' },
  openMessaging: { integrationId: INTEGRATION, webhookSecret: 'a-webhook-secret-0123' },
  ...extra,
});

function issues(input: unknown) {
  try {
    resolveBridgeConfig(input);
  } catch (thrown) {
    if (thrown instanceof BridgeConfigError) return thrown.issues.map((i) => i.setting);
    throw thrown;
  }
  return [];
}

describe('Open Messaging configuration', () => {
  it('needs no deploymentId; defaults to Opaque customers, receipts on and a 10,000-id dedupe window', () => {
    const config = resolveBridgeConfig(open());
    expect(config.channel).toBe('openMessaging');
    expect(config.settings.openMessaging).toEqual({
      integrationId: INTEGRATION,
      webhookSecret: 'a-webhook-secret-0123',
      idType: 'Opaque',
      receipts: true,
      dedupeWindow: 10_000,
    });
    expect(config.warnings.map((w) => w.code)).not.toContain('PLATFORM_API_UNUSED');
  });

  it('requires the integration and the Platform API client, and a secret Genesys would accept', () => {
    const { openMessaging: _o, platformApi: _p, ...bare } = open();
    expect(issues(bare)).toEqual(['openMessaging', 'platformApi']);
    expect(issues(open({ openMessaging: { integrationId: 'not-a-uuid', webhookSecret: 'short' } }))).toEqual([
      'openMessaging.integrationId',
      'openMessaging.webhookSecret',
    ]);
    expect(validateConfig(open({ openMessaging: { integrationId: INTEGRATION } }))).toMatchObject({
      ok: false,
      errors: [
        { setting: 'openMessaging.webhookSecret', message: 'openMessaging.webhookSecret is required' },
      ],
    });
  });

  it('is chosen by auto when only openMessaging settings are given; a deploymentId keeps Web Messaging', () => {
    const { channel: _c, ...auto } = open();
    expect(resolveBridgeConfig(auto).channel).toBe('openMessaging');
    expect(resolveBridgeConfig({ ...auto, deploymentId: INTEGRATION }).channel).toBe('webMessaging');
    expect(issues({ loginUrl: 'https://login.mypurecloud.ie' })).toEqual(['deploymentId']);
  });

  it('applies the 2,048-byte metadata budget and sends the handoff text when there is nothing else to send', () => {
    const config = resolveBridgeConfig(open());
    const plan = planTransfer(
      {
        idempotencyKey: 'k',
        botConversationId: 'b',
        customer: { id: 'c' },
        metadata: { QueueName: 'General' },
      },
      config,
      's',
    );
    expect(plan.fitted.report.budgetBytes).toBe(2048);
    expect(plan.startTexts).toEqual(['Customer transferred from the virtual assistant.']);
    expect(() =>
      planTransfer(
        {
          idempotencyKey: 'k',
          botConversationId: 'b',
          customer: { id: 'c' },
          metadata: { big: 'x'.repeat(3000) },
        },
        config,
        's',
      ),
    ).toThrow(/METADATA_TOO_LARGE/);
  });
});
