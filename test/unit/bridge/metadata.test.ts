import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveBridgeConfig } from '../../../bridge/config.ts';
import { BridgeFailure } from '../../../bridge/errors.ts';
import {
  buildTransferAttributes,
  encodeMetadata,
  encodeMetadataValue,
  fitMetadata,
  type MetadataOptions,
  metadataSize,
  toWebChatCustomFields,
} from '../../../bridge/metadata.ts';
import { webMessagingConfig } from './fake-adapter.ts';

const options = (overrides: Record<string, unknown> = {}): MetadataOptions =>
  resolveBridgeConfig(webMessagingConfig({ metadata: overrides })).settings.metadata;

function failureOf(run: () => unknown): BridgeFailure {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof BridgeFailure) return thrown;
    throw thrown;
  }
  throw new Error('expected a BridgeFailure');
}

describe('encoding values', () => {
  it('sends strings as-is and JSON.stringifies every other JSON value', () => {
    expect(
      encodeMetadata({ s: 'plain "text"', n: 42.5, t: true, z: null, a: ['x', 1], o: { k: [1] } }, options()),
    ).toEqual({
      s: 'plain "text"',
      n: '42.5',
      t: 'true',
      z: 'null',
      a: '["x",1]',
      o: '{"k":[1]}',
    });
  });

  it('flattens objects and arrays into dotted keys with the dotted encoding', () => {
    expect(
      encodeMetadata(
        { order: { id: 7, items: ['a', { sku: 'b' }] }, empty: {}, none: [] },
        options({ encode: 'dotted' }),
      ),
    ).toEqual({
      'order.id': '7',
      'order.items.0': 'a',
      'order.items.1.sku': 'b',
      empty: '{}',
      none: '[]',
    });
  });

  it('applies keyPrefix to metadata keys but never to the queue key', () => {
    const built = buildTransferAttributes(
      { metadata: { tier: 'gold' }, defaultQueueName: 'Support' },
      options({ keyPrefix: 'kore_' }),
    );
    expect(built.attributes).toEqual({ kore_tier: 'gold', QueueName: 'Support' });
  });

  it('refuses empty keys and keys that collide after encoding, naming them', () => {
    expect(failureOf(() => encodeMetadata({ '': 'x' }, options())).error.code).toBe('METADATA_INVALID');
    const collision = failureOf(() =>
      encodeMetadata({ 'a.b': 1, a: { b: 2 } }, options({ encode: 'dotted' })),
    );
    expect(collision.error).toMatchObject({
      code: 'METADATA_INVALID',
      message: expect.stringContaining('"a.b"'),
    });
  });

  it('round-trips every non-string JSON value through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const encoded = encodeMetadataValue(value as never);
        if (typeof value === 'string') expect(encoded).toBe(value);
        else expect(JSON.parse(encoded)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('the queue key', () => {
  it('prefers the per-transfer queue, then the metadata value, then the configured queue', () => {
    const o = options();
    expect(
      buildTransferAttributes(
        { queueName: 'Per', metadata: { QueueName: 'Meta' }, defaultQueueName: 'Cfg' },
        o,
      ).queueName,
    ).toBe('Per');
    expect(
      buildTransferAttributes({ metadata: { QueueName: 'Meta' }, defaultQueueName: 'Cfg' }, o).attributes[
        'QueueName'
      ],
    ).toBe('Meta');
    expect(buildTransferAttributes({ defaultQueueName: 'Cfg' }, o).attributes).toEqual({ QueueName: 'Cfg' });
    expect(buildTransferAttributes({}, o).attributes).toEqual({});
  });

  it('uses the configured key name', () => {
    expect(
      buildTransferAttributes({ queueName: 'Sales' }, options({ queueNameKey: 'targetQueue' })).attributes,
    ).toEqual({ targetQueue: 'Sales' });
  });
});

describe('size and budget', () => {
  it('counts UTF-8 bytes of keys plus values by default, or of the JSON object', () => {
    const attributes = { ké: 'vé', b: '' };
    expect(metadataSize(attributes, 'keyValueUtf8')).toBe(3 + 3 + 1);
    expect(metadataSize(attributes, 'jsonUtf8')).toBe(Buffer.byteLength(JSON.stringify(attributes)));
  });

  it('refuses oversize metadata naming the biggest keys', () => {
    const transfer = buildTransferAttributes(
      { metadata: { big: 'x'.repeat(100), mid: 'y'.repeat(50), small: 'z' }, queueName: 'Q' },
      options(),
    );
    const refused = failureOf(() =>
      fitMetadata(transfer, { budgetBytes: 64, rule: 'keyValueUtf8', onOversize: 'reject' }),
    );
    expect(refused.error).toMatchObject({ code: 'METADATA_TOO_LARGE', retryable: false });
    expect(refused.error.message).toContain(
      'biggest keys: big (103 bytes), mid (53 bytes), QueueName (10 bytes)',
    );
  });

  it('drops the largest optional keys first and never the queue or required keys', () => {
    const transfer = buildTransferAttributes(
      { metadata: { big: 'x'.repeat(100), keep: 'y'.repeat(60), small: 'z' }, queueName: 'Q' },
      options({ requiredKeys: ['keep'] }),
    );
    const fitted = fitMetadata(transfer, {
      budgetBytes: 80,
      rule: 'keyValueUtf8',
      onOversize: 'dropOptional',
    });
    expect(fitted.attributes).toEqual({ keep: 'y'.repeat(60), small: 'z', QueueName: 'Q' });
    expect(fitted.report).toMatchObject({
      dropped: [{ key: 'big', reason: 'oversize' }],
      budgetBytes: 80,
      usedBytes: 80,
    });
  });

  it('still refuses when the required keys alone do not fit', () => {
    const transfer = buildTransferAttributes({ queueName: 'Q'.repeat(100) }, options());
    expect(
      failureOf(() =>
        fitMetadata(transfer, { budgetBytes: 64, rule: 'keyValueUtf8', onOversize: 'dropOptional' }),
      ).error.code,
    ).toBe('METADATA_TOO_LARGE');
  });

  it('fits anything when no budget is known', () => {
    const transfer = buildTransferAttributes({ metadata: { big: 'x'.repeat(10_000) } }, options());
    expect(
      fitMetadata(transfer, { budgetBytes: undefined, rule: 'keyValueUtf8', onOversize: 'reject' }).report
        .usedBytes,
    ).toBe(10_003);
  });

  it('whatever it keeps fits the budget and contains every required key', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 40 }), {
          maxKeys: 12,
        }),
        fc.integer({ min: 16, max: 400 }),
        (metadata, budget) => {
          try {
            const transfer = buildTransferAttributes({ metadata, queueName: 'Q' }, options());
            const fitted = fitMetadata(transfer, {
              budgetBytes: budget,
              rule: 'keyValueUtf8',
              onOversize: 'dropOptional',
            });
            expect(metadataSize(fitted.attributes, 'keyValueUtf8')).toBeLessThanOrEqual(budget);
            expect(fitted.attributes['QueueName']).toBe('Q');
          } catch (thrown) {
            if (!(thrown instanceof BridgeFailure)) throw thrown;
            expect(['METADATA_TOO_LARGE', 'METADATA_INVALID']).toContain(thrown.error.code);
          }
        },
      ),
    );
  });
});

describe('WebChat custom fields', () => {
  it('carries the attributes unchanged (Genesys adds the context. prefix itself)', () => {
    expect(toWebChatCustomFields({ QueueName: 'Q', a: '1' })).toEqual({ QueueName: 'Q', a: '1' });
  });
});
