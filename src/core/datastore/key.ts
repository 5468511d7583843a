// Datastore key names: dotted segments, quoted where a segment holds a dot. Mirrors upstream
// datastore's key.rs (datastore.md section 3).
import { BrktError } from '../errors';

export const KEY_MAX_LENGTH = 255;
export type KeyKind = 'data' | 'meta';

/** A parsed key: the name as given (or canonical when built from segments) and its segments. */
export interface Key {
  readonly name: string;
  readonly segments: readonly string[];
}

const NAME_CHAR = /[A-Za-z0-9_\-/]/;
const SEGMENT_CHARS = /^[A-Za-z0-9_\-/.]*$/;

function invalid(kind: KeyKind, name: string, reason: string): BrktError {
  return new BrktError('invalid-input', `Key name '${name}' has invalid format: ${reason}`);
}

function checkLength(kind: KeyKind, name: string) {
  // Bytes, not UTF-16 units; the character set is ASCII so they coincide for valid names.
  if (new TextEncoder().encode(name).length > KEY_MAX_LENGTH) {
    throw invalid(kind, name, `Key name beyond maximum length ${KEY_MAX_LENGTH}`);
  }
}

/** `parseKey` of datastore.md 3.1, reproduced step by step (quotes may appear anywhere). */
export function parseKey(name: string, kind: KeyKind = 'data'): Key {
  if (name.length === 0) throw invalid(kind, name, 'cannot be empty');
  const segments: string[] = [];
  let inQuotes = false;
  let segment = '';
  for (const c of name) {
    if (c === '"') {
      inQuotes = !inQuotes;
    } else if (c === '.' && !inQuotes) {
      if (segment === '') throw invalid(kind, name, 'empty key segment');
      segments.push(segment);
      segment = '';
    } else if (c === '.' || NAME_CHAR.test(c)) {
      segment += c;
    } else {
      throw invalid(kind, name, `invalid character in key: '${c}'`);
    }
  }
  if (inQuotes) throw invalid(kind, name, 'unbalanced quotes');
  if (segment === '') throw invalid(kind, name, 'ends with separator');
  segments.push(segment);
  checkLength(kind, name);
  if (kind === 'meta' && segments.length !== 1) throw invalid(kind, name, 'meta keys may only have one segment');
  return { name, segments };
}

/** The canonical name of `segments` (datastore.md 3.2); empty segments are refused here too. */
export function keyFromSegments(segments: readonly string[], kind: KeyKind = 'data'): Key {
  if (segments.length === 0) throw new BrktError('invalid-input', 'Key name has invalid format: cannot be empty');
  const parts = segments.map(segment => {
    if (segment === '') throw new BrktError('invalid-input', `Segment '' contains invalid character: segments cannot be empty`);
    if (!SEGMENT_CHARS.test(segment)) {
      const bad = [...segment].find(c => !SEGMENT_CHARS.test(c));
      throw new BrktError('invalid-input', `Segment '${segment}' contains invalid character '${bad}'`);
    }
    return segment.includes('.') ? `"${segment}"` : segment;
  });
  const name = parts.join('.');
  checkLength(kind, name);
  if (kind === 'meta' && segments.length !== 1) throw invalid(kind, name, 'meta keys may only have one segment');
  return { name, segments: [...segments] };
}

/** Canonical form of any valid name (`"a".b` -> `a.b`). */
export const canonicalName = (name: string, kind: KeyKind = 'data') => keyFromSegments(parseKey(name, kind).segments, kind).name;

export const keysEqual = (a: Key, b: Key) => a.segments.length === b.segments.length && a.segments.every((s, i) => s === b.segments[i]);

/** Whole-segment prefix test (datastore.md 3.4). */
export const startsWithSegments = (key: Key, prefix: readonly string[]) =>
  prefix.length <= key.segments.length && prefix.every((s, i) => s === key.segments[i]);

/** Removes `prefix.` from the front of the name; stripping the whole key is an error. */
export function stripPrefix(key: Key, prefix: string): Key {
  if (key.name === prefix) throw new BrktError('invalid-input', `Cannot strip prefix '${prefix}' from key '${key.name}': nothing would remain`);
  if (!key.name.startsWith(prefix + '.')) return key;
  return parseKey(key.name.slice(prefix.length + 1));
}
