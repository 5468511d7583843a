// What `apiclient get` does to the merged reply before printing (settings-now.md 3.2): drop
// excluded prefixes, and print OLPC canonical JSON on request. Mirrors apiclient's get.rs.
import { isObject, type Json } from './deep-merge';

/**
 * Drops every member whose dotted path (raw member names joined by `.`, no quoting) starts with
 * one of `prefixes`, then every object left empty. A scalar is never matched by `a.b.`.
 */
export function excludePrefixes(value: Json, prefixes: readonly string[]): Json {
  if (!prefixes.length) return value;
  const walk = (node: Record<string, Json>, parent: string): Record<string, Json> => {
    const kept: Record<string, Json> = {};
    for (const [name, child] of Object.entries(node)) {
      const path = parent ? `${parent}.${name}` : name;
      if (prefixes.some(prefix => path.startsWith(prefix))) continue;
      if (isObject(child)) {
        const inner = walk(child, path);
        // Upstream removes objects that became empty, and also ones that were empty already.
        if (Object.keys(inner).length) kept[name] = inner;
      } else kept[name] = child;
    }
    return kept;
  };
  return isObject(value) ? walk(value, '') : value;
}

/** Byte order of the UTF-8 encodings, as Rust sorts `String` keys. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * OLPC canonical JSON (olpc-cjson): keys sorted, no whitespace, and in strings only `"` and `\`
 * escaped; every other character is written as it is.
 */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'string') return `"${value.replace(/["\\]/g, char => `\\${char}`)}"`;
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort(byUtf8);
  return `{${keys.map(key => `${canonicalJson(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
}
