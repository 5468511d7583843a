// Dotted datastore key names (datastore.md section 3): segments split on dots, a segment that
// contains a dot is written in double quotes (`settings.kubernetes.node-labels."a.b/c"`).
import { BrktError } from '../errors';

/** The segments of a key name, quotes removed. */
export function keySegments(key: string): string[] {
  const segments: string[] = [];
  let i = 0;
  while (i <= key.length) {
    if (key[i] === '"') {
      const close = key.indexOf('"', i + 1);
      if (close < 0) throw new BrktError('invalid-input', `Invalid key ${key}: unclosed quote`);
      segments.push(key.slice(i + 1, close));
      i = close + 1;
      if (i < key.length && key[i] !== '.') throw new BrktError('invalid-input', `Invalid key ${key}: text after a quoted segment`);
      i += 1;
      continue;
    }
    const dot = key.indexOf('.', i);
    const end = dot < 0 ? key.length : dot;
    segments.push(key.slice(i, end));
    i = end + 1;
  }
  if (segments.some(segment => segment === '')) throw new BrktError('invalid-input', `Invalid key ${key}: empty segment`);
  return segments;
}

/** Joins segments back into a key name, quoting those that contain a dot. */
export function keyName(segments: string[]): string {
  return segments.map(segment => (segment.includes('.') ? `"${segment}"` : segment)).join('.');
}

/** Sets `value` at `segments` in a nested document, creating objects on the way. */
export function setAtPath(document: Record<string, unknown>, segments: string[], value: unknown): void {
  let node = document;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (next === undefined) node = node[segment] = {} as Record<string, unknown>;
    else if (next !== null && typeof next === 'object' && !Array.isArray(next)) node = next as Record<string, unknown>;
    else throw new BrktError('invalid-input', `Cannot set ${keyName(segments)}: ${segment} already holds a value`);
  }
  node[segments.at(-1)!] = value;
}

/** The value at `segments`, or `undefined`. */
export function getAtPath(document: unknown, segments: string[]): unknown {
  let node = document;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}
