import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash53 } from '../../../emulator/store/journal/hash.ts';
import { decodeJson, encodeJson } from '../../../emulator/store/journal/json-codec.ts';

describe('entity JSON', () => {
  it('keeps NaN and the infinities, which plain JSON turns into null', () => {
    const agent = {
      idleSince: Number.NaN,
      until: Number.POSITIVE_INFINITY,
      low: Number.NEGATIVE_INFINITY,
      n: 3,
    };
    expect(JSON.parse(JSON.stringify(agent))).toEqual({ idleSince: null, until: null, low: null, n: 3 });
    const back = decodeJson(encodeJson(agent)) as typeof agent;
    expect(back.idleSince).toBeNaN();
    expect(back.until).toBe(Number.POSITIVE_INFINITY);
    expect(back.low).toBe(Number.NEGATIVE_INFINITY);
    expect(back.n).toBe(3);
  });

  it('leaves an object that merely has a $num key with others alone', () => {
    const odd = { $num: 'NaN', other: 1 };
    expect(decodeJson(encodeJson(odd))).toEqual(odd);
  });

  it('property: any JSON value with any doubles round-trips (-0 reads back as 0, as in JSON)', () => {
    const double = fc.double().filter((d) => !Object.is(d, -0));
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(double), (json, doubles) => {
        const value = { json, doubles };
        expect(decodeJson(encodeJson(value))).toEqual({ json: JSON.parse(JSON.stringify(json)), doubles });
      }),
    );
  });
});

describe('hash53', () => {
  it('is stable, 53-bit, and tells one changed character apart', () => {
    const text = '{"id":"c1","state":"connected"}';
    expect(hash53(text)).toBe(hash53(text));
    expect(Number.isSafeInteger(hash53(text))).toBe(true);
    expect(hash53(text)).not.toBe(hash53(text.replace('connected', 'connectee')));
    expect(hash53('')).not.toBe(hash53(' '));
  });

  it('property: different strings (almost never) share a hash', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(hash53(a)).not.toBe(hash53(b));
      }),
    );
  });
});
