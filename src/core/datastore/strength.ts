// Setting strength (settings-now.md 1): `weak` values are replaceable defaults that a version
// change drops, `strong` ones (the default) are kept. Stored as metadata `strength`; the commit
// check mirrors upstream's datastore_transaction_check (apiserver controller.rs).
import { keyFromSegments, type Key } from './key';
import type { MetadataMap, MetadataWrite, StoredValue } from './store';

export type Strength = 'weak' | 'strong';

/** The metadata holding a setting's strength, as JSON text `"weak"` or `"strong"`. */
export const STRENGTH_METADATA = 'strength';

export const isStrength = (value: unknown): value is Strength => value === 'weak' || value === 'strong';

/** The JSON text stored for `strength`. */
export const strengthText = (strength: Strength) => JSON.stringify(strength);

/** A stored strength; anything but `"weak"`/`"strong"` is an error naming the key. */
export function parseStrengthText(text: string, key: string): Strength {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isStrength(value)) throw new Error(`Unable to deserialize strength metadata of '${key}': ${text.slice(0, 40)} is not one of weak or strong`);
  return value;
}

/** Strength at the longest segment prefix of `key` carrying it in `metadata`; none: strong. */
export function inheritedStrength(metadata: MetadataMap, key: Key): Strength {
  for (let n = key.segments.length; n > 0; n--) {
    const prefix = n === key.segments.length ? key : keyFromSegments(key.segments.slice(0, n));
    const text = metadata.get(prefix.name)?.get(STRENGTH_METADATA);
    if (text !== undefined) return parseStrengthText(text, prefix.name);
  }
  return 'strong';
}

/** What the check sees of live: its strength (inherited) and whether a value is there. */
export interface LiveStrengths {
  strength(key: Key): Strength;
  hasValue(key: Key): boolean;
}

/** A transaction the check refuses; the server answers 500 with upstream's text. */
export class StrengthRejection extends Error {
  override readonly name = 'StrengthRejection';
}

/**
 * The commit check of settings-now.md 1.4 over a transaction's pending `strength` metadata:
 * returns the live strength metadata the commit writes, or throws `StrengthRejection` when a
 * populated strong setting would become weak (the whole transaction is then refused). Other
 * pending metadata is not committed (upstream logs and drops it).
 */
export function checkStrengths(pending: MetadataMap, live: LiveStrengths, keyOf: (name: string) => Key): MetadataWrite[] {
  const writes: MetadataWrite[] = [];
  for (const [name, metas] of [...pending].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const text = metas.get(STRENGTH_METADATA);
    if (text === undefined) continue;
    const key = keyOf(name);
    const wanted = parseStrengthText(text, name);
    const current = live.strength(key);
    if (wanted === current) continue;
    if (wanted === 'weak' && live.hasValue(key)) {
      throw new StrengthRejection(`Cannot change setting ${name} strength from strong to weak`);
    }
    writes.push({ key, meta: STRENGTH_METADATA, text: strengthText(wanted) });
  }
  return writes;
}

/** `<key>.strength` for every value written by a PATCH (controller `set_settings`). */
export function strengthMetadataFor(values: StoredValue[], strength: Strength): MetadataWrite[] {
  const text = strengthText(strength);
  return values.map(value => ({ key: value.key, meta: STRENGTH_METADATA, text }));
}
