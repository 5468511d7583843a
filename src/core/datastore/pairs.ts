// Documents <-> (key, JSON text) pairs (datastore.md 5.2 and 5.3). Mirrors upstream's
// serialization/pairs.rs and deserialization/pairs.rs.
import { BrktError } from '../errors';
import { keyFromSegments, type Key } from './key';
import { pointerJoin, parseJson, stringifyJson, type ParsedJson } from './json-text';

export interface Pair {
  key: Key;
  /** The value's JSON text, exactly as it is stored in the value file. */
  text: string;
}

/**
 * Flattens a document under `prefix` (`settings`, or none for services/configuration-files):
 * objects recurse, arrays and scalars are one value each, `null` is "not given".
 */
export function flatten(value: unknown, prefix: readonly string[] = [], floats?: Set<string>): Pair[] {
  const pairs: Pair[] = [];
  const walk = (node: unknown, segments: string[], pointer: string) => {
    if (node === null || node === undefined) return;
    if (typeof node === 'object' && !Array.isArray(node)) {
      for (const [name, child] of Object.entries(node)) {
        if (name === '' || !/^[A-Za-z0-9_\-/.]*$/.test(name)) {
          throw new BrktError('invalid-input', `Error serializing Settings: map key '${name}' cannot be a datastore key segment (allowed: A-Z a-z 0-9 _ - / .; not empty)`);
        }
        walk(child, [...segments, name], pointerJoin(pointer, name));
      }
      return;
    }
    if (segments.length === 0) throw new BrktError('invalid-input', 'Error serializing Settings: a value needs a key, and there is no prefix');
    pairs.push({ key: keyFromSegments(segments), text: stringifyJson(node, floats, pointer) });
  };
  walk(value, [...prefix], '');
  return pairs;
}

/**
 * Nests pairs by segments, dropping the first `strip` segments (the area: `settings`).
 * Returns the document and the float pointers of its values, for model validation.
 */
export function assemble(pairs: Iterable<{ segments: readonly string[]; text: string }>, strip = 0): ParsedJson {
  const root: Record<string, unknown> = {};
  const floats = new Set<string>();
  for (const { segments, text } of pairs) {
    const parts = segments.slice(strip);
    if (parts.length === 0) continue;
    let node = root;
    let pointer = '';
    for (const part of parts.slice(0, -1)) {
      pointer = pointerJoin(pointer, part);
      let next = node[part];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) {
        next = {};
        Object.defineProperty(node, part, { value: next, enumerable: true, writable: true, configurable: true });
      }
      node = next as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    const parsed = parseJson(text);
    const leafPointer = pointerJoin(pointer, last);
    for (const f of parsed.floats) floats.add(leafPointer + f);
    Object.defineProperty(node, last, { value: parsed.value, enumerable: true, writable: true, configurable: true });
  }
  return { value: root, floats };
}
