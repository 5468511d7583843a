// Merges JSON documents the way `apiclient get` and PATCH do: objects key by key, recursively;
// any other value (arrays included) replaced by the later one.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function deepMerge(target: Json, source: Json): Json {
  if (!isObject(target) || !isObject(source)) return source;
  const merged: Record<string, Json> = { ...target };
  for (const [key, value] of Object.entries(source)) {
    // Own keys only, set as data: `constructor` is not inherited, `__proto__` no prototype.
    const next = Object.hasOwn(merged, key) ? deepMerge(merged[key]!, value) : value;
    Object.defineProperty(merged, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

/** Pretty JSON with 2-space indent and object keys sorted, as `apiclient get` prints. */
export function sortedJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sortKeys) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map(k => [k, sortKeys(v[k])])) : v;
  return JSON.stringify(sortKeys(value), null, 2);
}
