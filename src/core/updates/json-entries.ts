// A JSON parser that keeps every member of an object, in order, duplicates included. JSON.parse
// silently keeps the last of two equal keys; serde (upstream) reports them, so the manifest
// decoder needs to see them (updates.md 2.1).
import { BrktError } from '../errors';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** An object as its members in document order; a key may appear more than once. */
export interface JsonObject {
  readonly entries: Array<[string, JsonValue]>;
}

export const isJsonObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses `text`; `what` names the document in error messages. */
export function parseJsonEntries(text: string, what: string): JsonValue {
  let at = 0;
  const fail = (reason: string): never => {
    const line = text.slice(0, at).split('\n').length;
    throw new BrktError('invalid-input', `Failed to parse ${what}: ${reason} at line ${line}`);
  };
  const space = () => {
    while (at < text.length && (text[at] === ' ' || text[at] === '\n' || text[at] === '\r' || text[at] === '\t')) at++;
  };
  const value = (): JsonValue => {
    space();
    const c = text[at];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    for (const [word, result] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return result;
      }
    }
    return fail(c === undefined ? 'unexpected end of input' : `unexpected character '${c}'`);
  };
  const object = (): JsonObject => {
    at++;
    const entries: Array<[string, JsonValue]> = [];
    space();
    if (text[at] === '}') {
      at++;
      return { entries };
    }
    for (;;) {
      space();
      if (text[at] !== '"') fail('expected a member name');
      const key = string();
      space();
      if (text[at] !== ':') fail(`expected ':' after "${key}"`);
      at++;
      entries.push([key, value()]);
      space();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === '}') {
        at++;
        return { entries };
      }
      fail("expected ',' or '}'");
    }
  };
  const array = (): JsonValue[] => {
    at++;
    const items: JsonValue[] = [];
    space();
    if (text[at] === ']') {
      at++;
      return items;
    }
    for (;;) {
      items.push(value());
      space();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === ']') {
        at++;
        return items;
      }
      fail("expected ',' or ']'");
    }
  };
  const string = (): string => {
    const start = at++;
    while (at < text.length && text[at] !== '"') {
      if (text[at] === '\\') at++;
      else if (text.charCodeAt(at) < 0x20) fail('control character in string');
      at++;
    }
    if (at >= text.length) fail('unterminated string');
    at++;
    try {
      return JSON.parse(text.slice(start, at)) as string;
    } catch {
      return fail('invalid escape in string');
    }
  };
  const number = (): number => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) return fail('invalid number');
    at += match[0].length;
    return Number(match[0]);
  };
  const result = value();
  space();
  if (at < text.length) fail('trailing characters');
  return result;
}

/** Plain JSON from a parsed value; a duplicate key keeps the last value, as JSON.parse would. */
export function toPlain(value: JsonValue): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (isJsonObject(value)) return Object.fromEntries(value.entries.map(([key, item]) => [key, toPlain(item)]));
  return value;
}
