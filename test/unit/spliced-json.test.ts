import { describe, expect, it } from 'vitest';
import { SplicedJson } from '../../emulator/surfaces/notifications/spliced-json.ts';

describe('SplicedJson (notification bodies with pre-serialised message entries)', () => {
  it('gives the same text as JSON.stringify of the whole value', () => {
    const json = new SplicedJson();
    const entries = [{ messageId: 'm1', messageStatus: 'received' }, { messageId: 'm2' }];
    const value = {
      id: 'c1',
      participants: [
        { id: 'p1', messages: [{ id: 'x', messages: json.raw(JSON.stringify(entries)) }] },
        { id: 'p2', messages: [{ id: 'y', messages: json.raw('[]') }] },
      ],
    };
    const whole = {
      id: 'c1',
      participants: [
        { id: 'p1', messages: [{ id: 'x', messages: entries }] },
        { id: 'p2', messages: [{ id: 'y', messages: [] }] },
      ],
    };
    expect(json.stringify(value)).toBe(JSON.stringify(whole));
  });

  it('leaves text that looks like a stand-in but is not one (a customer attribute) as it is', () => {
    const json = new SplicedJson();
    const stand = json.raw('[1]');
    const forged = stand.replace(/\d+$/, '0').replace(/[0-9a-f]{8}-/, '00000000-');
    const text = json.stringify({ a: stand, attributes: { note: forged, other: '@@spliced-0' } });
    expect(JSON.parse(text)).toEqual({ a: [1], attributes: { note: forged, other: '@@spliced-0' } });
  });

  it('is plain JSON.stringify when nothing was spliced', () => {
    expect(new SplicedJson().stringify({ a: 'b', n: [1, 2] })).toBe('{"a":"b","n":[1,2]}');
  });
});
