// PATCH /settings/keypair (api.md 6.4): `key=value` items typed the way upstream's server types
// them, then assembled into a Settings document for the usual validation.
import { ApiError } from './api-error';
import { parseKey } from '../datastore/key';
import { pointerJoin } from '../datastore/json-text';

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const U64_MAX = 2n ** 64n - 1n;

export interface KeypairDocument {
  document: Record<string, unknown>;
  /** JSON pointers of values typed as floats, so the model reports `floating point` for them. */
  floats: Set<string>;
}

/** Types one value: booleans, then u64 integers, then other JSON numbers as floats, else text. */
function typeValue(raw: string): { value: unknown; float: boolean } {
  if (raw === 'true' || raw === 'false') return { value: raw === 'true', float: false };
  if (/^\d+$/.test(raw) && BigInt(raw) <= U64_MAX) return { value: Number(raw), float: false };
  if (JSON_NUMBER.test(raw)) return { value: Number(raw), float: true };
  return { value: raw, float: false };
}

export function documentFromKeypairs(items: unknown): KeypairDocument {
  if (!Array.isArray(items) || items.some(item => typeof item !== 'string')) {
    throw new ApiError(400, 'Json deserialize error: request_payload must be a list of "key=value" strings');
  }
  // Null prototypes and defineProperty: a segment named `__proto__` is a valid key, not a setter.
  const put = (target: Record<string, unknown>, name: string, value: unknown) =>
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  const document: Record<string, unknown> = Object.create(null);
  const floats = new Set<string>();
  const floatKeys = new Map<string, string>();
  for (const item of items as string[]) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new ApiError(400, `Failed to split the string: ${item}`);
    const left = item.slice(0, eq);
    let segments: string[];
    try {
      segments = [...parseKey(left).segments];
    } catch (error) {
      throw new ApiError(400, `Prefix '${left}' is not a valid key: ${(error as Error).message}`);
    }
    if (segments[0] === 'settings') segments = segments.slice(1);
    if (segments.length === 0) throw new ApiError(400, `Prefix '${left}' is not a valid key: it names no setting`);
    const { value, float } = typeValue(item.slice(eq + 1));
    let node = document;
    for (const segment of segments.slice(0, -1)) {
      const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
      if (next === null || typeof next !== 'object') put(node, segment, Object.create(null));
      node = node[segment] as Record<string, unknown>;
    }
    put(node, segments.at(-1)!, value); // the same key twice: the last one wins
    const pointer = segments.reduce((at, segment) => pointerJoin(at, segment), '');
    if (float) floatKeys.set(pointer, pointer);
    else floatKeys.delete(pointer);
  }
  for (const pointer of floatKeys.keys()) floats.add(pointer);
  return { document, floats };
}
