import { describe, expect, test } from 'bun:test';
import { HOSTILE_PIECES, hostileStrings } from '../../../test/helpers/hostile';
import { formatValue, safeJson } from './settings-keys';

/** How a script reads a value back: a leading `"` means a JSON string, anything else is the text. */
const readBack = (printed: string) => (printed.startsWith('"') ? JSON.parse(printed) : printed);
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe('formatValue: the value of a key=value line', () => {
  test.each([
    ['Welcome to Bottlerocket!', 'Welcome to Bottlerocket!'],
    ['file:///tmp/demo/repo/metadata/', 'file:///tmp/demo/repo/metadata/'],
    ['', ''],
    ['a "quoted" word', 'a "quoted" word'],
    ['日本 😀 é', '日本 😀 é'],
    ['line 1\nline 2', '"line 1\\nline 2"'],
    ['x\nupdates.seed=1', '"x\\nupdates.seed=1"'],
    ['\u001b[31mred', '"\\u001b[31mred"'],
    ['\u009b31m', '"\\u009b31m"'],
    ['abc\u202e', '"abc\\u202e"'],
    ['a\u2028b', '"a\\u2028b"'],
    ['"starts with a quote', '"\\"starts with a quote"'],
    [' padded ', '" padded "'],
  ])('case %#', (value, printed) => expect(formatValue(value)).toBe(printed));

  test('lists and maps stay JSON, with unsafe characters escaped inside', () => {
    expect(formatValue(['a', 'b'])).toBe('["a","b"]');
    expect(formatValue(['a\u009bb'])).toBe('["a\\u009bb"]');
    expect(JSON.parse(safeJson({ k: 'x\u202ey\u007f' }))).toEqual({ k: 'x\u202ey\u007f' });
    expect(formatValue(42)).toBe('42');
    expect(formatValue(false)).toBe('false');
  });

  test('every generated value is one safe line that reads back to itself', () => {
    const values = [...hostileStrings(8, 3000), ...HOSTILE_PIECES];
    for (const value of values) {
      const printed = formatValue(value);
      expect({ value, unsafe: UNSAFE.test(printed) }).toEqual({ value, unsafe: false });
      expect({ value, back: readBack(printed) }).toEqual({ value, back: value });
    }
  });
});
