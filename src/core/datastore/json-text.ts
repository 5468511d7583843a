// A JSON parser that keeps what JSON.parse loses: whether a number token had a fraction or an
// exponent (datastore.md 5.1 "number fidelity": `1` fits a u32, `1.0` does not), with serde-style
// error messages (`EOF while parsing a value at line 1 column 0`) that API clients match on.
import { BrktError } from '../errors';

export interface ParsedJson {
  value: unknown;
  /** JSON pointers (`/updates/seed`) of number tokens written with a fraction or exponent. */
  floats: Set<string>;
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
export const pointerJoin = (base: string, segment: string | number) => `${base}/${escapePointer(String(segment))}`;

export function parseJson(text: string): ParsedJson {
  const floats = new Set<string>();
  let i = 0;

  const position = () => {
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    return `line ${line} column ${i - (before.lastIndexOf('\n') + 1)}`;
  };
  const fail = (what: string): never => {
    throw new BrktError('invalid-input', `${what} at ${position()}`);
  };
  const skip = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };

  function value(path: string): unknown {
    skip();
    if (i >= text.length) fail('EOF while parsing a value');
    const c = text[i]!;
    if (c === '{') return object(path);
    if (c === '[') return array(path);
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number(path);
    for (const [word, result] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return result;
      }
    }
    i++;
    return fail('expected value');
  }

  function object(path: string): Record<string, unknown> {
    i++;
    const out: Record<string, unknown> = {};
    skip();
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      skip();
      if (i >= text.length) fail('EOF while parsing an object');
      if (text[i] !== '"') fail('key must be a string');
      const key = string();
      // serde_json refuses a repeated field; a later value silently winning hides a mistake.
      if (Object.hasOwn(out, key)) fail(`duplicate field \`${key}\``);
      skip();
      if (text[i] !== ':') fail(i >= text.length ? 'EOF while parsing an object' : 'expected `:`');
      i++;
      Object.defineProperty(out, key, { value: value(pointerJoin(path, key)), enumerable: true, writable: true, configurable: true });
      skip();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return out;
      }
      fail(i >= text.length ? 'EOF while parsing an object' : 'expected `,` or `}`');
    }
  }

  function array(path: string): unknown[] {
    i++;
    const out: unknown[] = [];
    skip();
    if (text[i] === ']') {
      i++;
      return out;
    }
    for (;;) {
      out.push(value(pointerJoin(path, out.length)));
      skip();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return out;
      }
      fail(i >= text.length ? 'EOF while parsing a list' : 'expected `,` or `]`');
    }
  }

  function string(): string {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail('EOF while parsing a string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character (\\u0000-\\u001F) found while parsing a string');
      if (c >= 0xd800 && c <= 0xdfff) {
        // A raw surrogate (text from JavaScript, not from UTF-8) must also be half of a pair.
        const pair = c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
        if (!pair) fail('lone surrogate in string');
        i += 2;
        continue;
      }
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          const unit = hexEscape(i);
          i += 6;
          // UTF-16 surrogates must come in pairs: a lone one is not a character (serde_json's rule).
          if (unit >= 0xdc00 && unit <= 0xdfff) fail('lone leading surrogate in hex escape');
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (text[i] !== '\\' || text[i + 1] !== 'u') fail('unexpected end of hex escape');
            const low = hexEscape(i);
            if (low < 0xdc00 || low > 0xdfff) fail('lone leading surrogate in hex escape');
            i += 6;
          }
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          i += 2;
        } else {
          i++;
          fail('invalid escape');
        }
        continue;
      }
      i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  }

  /** The code unit of the `\uXXXX` escape at `at`. */
  function hexEscape(at: number): number {
    const digits = text.slice(at + 2, at + 6);
    if (!/^[0-9A-Fa-f]{4}$/.test(digits)) fail('invalid escape');
    return parseInt(digits, 16);
  }

  function number(path: string): number {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!match) {
      i++;
      return fail('invalid number');
    }
    i += match[0].length;
    if (match[2] !== undefined || match[3] !== undefined) floats.add(path);
    return Number(match[0]);
  }

  const result = value('');
  skip();
  if (i < text.length) fail('trailing characters');
  return { value: result, floats };
}

/** Compact JSON; numbers at `floats` pointers that happen to be integral keep a `.0` (serde's form). */
export function stringifyJson(value: unknown, floats?: Set<string>, path = ''): string {
  if (!floats || floats.size === 0) return JSON.stringify(value);
  if (typeof value === 'number' && floats?.has(path) && Number.isInteger(value)) return `${value}.0`;
  if (Array.isArray(value)) return `[${value.map((item, index) => stringifyJson(item, floats, pointerJoin(path, index))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${stringifyJson(v, floats, pointerJoin(path, k))}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
