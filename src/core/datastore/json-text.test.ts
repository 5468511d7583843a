import { describe, expect, test } from 'bun:test';
import { parseJson } from './json-text';

describe('parseJson refuses what serde_json refuses', () => {
  test.each([
    ['a byte order mark', '\uFEFF{}', 'expected value at line 1 column 1'],
    ['a duplicate key', '{"a":1,"a":2}', 'duplicate field `a` at line 1 column 10'],
    ['a duplicate key in a nested object', '{"a":{"b":1,"b":1}}', 'duplicate field `b`'],
    ['a high surrogate escape alone', '"\\ud83d"', 'unexpected end of hex escape at line 1 column 7'],
    ['a high surrogate escape before another escape', '"\\ud83d\\n"', 'unexpected end of hex escape'],
    ['a high surrogate escape before a non-surrogate escape', '"\\ud83d\\u0041"', 'lone leading surrogate in hex escape'],
    ['a low surrogate escape alone', '"\\ude00"', 'lone leading surrogate in hex escape'],
    ['a raw lone surrogate', '"a\ud83d"', 'lone surrogate in string'],
    ['a raw low surrogate', '"\ude00b"', 'lone surrogate in string'],
  ])('%s', (_, text, message) => {
    expect(() => parseJson(text)).toThrow(message);
  });

  test('a surrogate pair, escaped or raw, and keys named like object members are data', () => {
    expect(parseJson('["\\ud83d\\ude00","\ud83d\ude00"]').value).toEqual(['\u{1F600}', '\u{1F600}']);
    const { value } = parseJson('{"__proto__":{"x":1},"constructor":2}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(['__proto__', 'constructor']);
  });
});
