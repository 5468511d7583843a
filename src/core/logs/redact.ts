// Redaction of the settings document before it enters a bundle. Mirrors logdog's
// SENSITIVE_SETTINGS_PATTERNS and strip_user_data (core-kit HEAD), plus brkt's additions.

export const REDACTED = 'REDACTED';

/** Upstream's JSON pointers: replaced by "REDACTED" when present (the key stays). */
export const UPSTREAM_POINTERS = [
  '/settings/kubernetes/bootstrap-token',
  '/settings/network/https-proxy', // may embed user:password
  '/settings/kubernetes/server-key',
  '/settings/container-registry/credentials',
  '/settings/aws/config',
  '/settings/aws/credentials',
];

/**
 * brkt: certificates and keys too. `*` stands for one member of any name (each PKI bundle).
 * Any string holding a PEM block is redacted wherever it is, so a certificate stored under a
 * key nobody listed still stays out of the bundle.
 */
export const BRKT_POINTERS = [
  '/settings/kubernetes/server-certificate',
  '/settings/kubernetes/cluster-certificate',
  '/settings/pki/*/data',
];

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

export interface Redaction {
  document: unknown;
  /** Dotted keys whose values were replaced, in document order, each once. */
  keys: string[];
}

/** Returns a redacted copy of `document` and the keys that were redacted (never their values). */
export function redactSettings(document: unknown): Redaction {
  const copy = structuredClone(document);
  const keys = new Set<string>();
  for (const pointer of [...UPSTREAM_POINTERS, ...BRKT_POINTERS]) {
    replaceAt(copy, pointer.split('/').slice(1), [], keys);
  }
  walk(copy, [], keys);
  return { document: copy, keys: [...keys] };
}

function replaceAt(node: unknown, rest: string[], path: string[], keys: Set<string>) {
  if (!isObject(node) || rest.length === 0) return;
  const [head, ...tail] = rest as [string, ...string[]];
  const names = head === '*' ? Object.keys(node) : Object.hasOwn(node, head) ? [head] : [];
  for (const name of names) {
    if (tail.length === 0) {
      node[name] = REDACTED;
      keys.add(dottedKey([...path, name]));
    } else replaceAt(node[name], tail, [...path, name], keys);
  }
}

/** Every member named `user-data` at any depth (host and bootstrap containers), and PEM strings. */
function walk(node: unknown, path: string[], keys: Set<string>) {
  if (Array.isArray(node)) {
    node.forEach((child, index) => {
      if (typeof child === 'string' && PEM.test(child)) {
        node[index] = REDACTED;
        keys.add(dottedKey([...path, String(index)]));
      } else walk(child, [...path, String(index)], keys);
    });
    return;
  }
  if (!isObject(node)) return;
  for (const [name, value] of Object.entries(node)) {
    if (name === 'user-data' || (typeof value === 'string' && PEM.test(value) && value !== REDACTED)) {
      node[name] = REDACTED;
      keys.add(dottedKey([...path, name]));
    } else walk(value, [...path, name], keys);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** cli.md's dotted keys: a segment holding a dot (or a quote) is written in double quotes. */
export function dottedKey(segments: string[]): string {
  return segments.map(segment => (/[."]/.test(segment) || segment === '' ? JSON.stringify(segment) : segment)).join('.');
}
