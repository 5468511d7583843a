// Metadata `setting-generator` (settings-now.md 1.5, 1.6): the 2020 command string or the table
// `{command, strength, depth}` of upstream's models generator.rs, and the expansion of a
// declaration with depth > 0 onto the populated keys below it (controller.rs
// expand_setting_generator).
import { isStrength, type Strength } from './strength';
import { keyFromSegments, type Key } from './key';
import type { MetadataMap } from './store';

export const SETTING_GENERATOR_METADATA = 'setting-generator';

export interface SettingGenerator {
  command: string;
  strength: Strength;
  /** How many segments below the declaring key's parent it applies at; 0: the key itself. */
  depth: number;
}

const FIELDS = ['command', 'strength', 'depth'];
const U32_MAX = 2 ** 32 - 1;

/** A generator from its parsed JSON (or TOML) value; serde's words for what does not fit. */
export function parseGenerator(value: unknown): SettingGenerator {
  if (typeof value === 'string') return { command: value, strength: 'strong', depth: 0 };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('data did not match any variant of untagged enum RawSettingsGenerator');
  }
  const table = value as Record<string, unknown>;
  for (const name of Object.keys(table)) {
    if (!FIELDS.includes(name)) throw new Error(`unknown field \`${name}\`, expected one of \`command\`, \`strength\`, \`depth\``);
  }
  const { command, strength = 'strong', depth = 0 } = table;
  if (command === undefined) throw new Error('missing field `command`');
  if (typeof command !== 'string') throw new Error('invalid type for `command`, expected a string');
  if (!isStrength(strength)) throw new Error(`unknown variant \`${String(strength)}\`, expected \`weak\` or \`strong\``);
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0 || depth > U32_MAX) {
    throw new Error(`invalid value for \`depth\`: ${String(depth)}, expected u32`);
  }
  return { command, strength, depth };
}

/** The JSON text storewolf stores for a table declaration (fields in upstream's order). */
export const generatorText = (generator: SettingGenerator) =>
  JSON.stringify({ command: generator.command, strength: generator.strength, depth: generator.depth });

/**
 * Every declared generator, expanded, key -> generator. Declarations are taken parents first
 * (by segment count), so a deeper one overwrites the same key. Depth d on `P.leaf` names
 * `P.c1..cd.leaf` for each distinct d-segment path under `P` that has a populated key; shorter
 * keys are ignored and `P.leaf` itself is not named. `populatedUnder(P)` lists live keys below P.
 * A declaration that does not parse throws, naming its key.
 */
export function expandGenerators(metadata: MetadataMap, populatedUnder: (prefix: Key) => Key[], keyOf: (name: string) => Key): Map<string, SettingGenerator> {
  const declared: Array<{ key: Key; generator: SettingGenerator }> = [];
  for (const [name, metas] of metadata) {
    const text = metas.get(SETTING_GENERATOR_METADATA);
    if (text === undefined) continue;
    let generator: SettingGenerator;
    try {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new Error(`not valid JSON: ${(error as Error).message}`);
      }
      generator = parseGenerator(value);
    } catch (error) {
      throw new Error(`Unable to deserialize setting generator of '${name}': ${(error as Error).message}`);
    }
    declared.push({ key: keyOf(name), generator });
  }
  declared.sort((a, b) => a.key.segments.length - b.key.segments.length || (a.key.name < b.key.name ? -1 : 1));
  const out = new Map<string, SettingGenerator>();
  for (const { key, generator } of declared) {
    if (generator.depth === 0) {
      out.set(key.name, generator);
      continue;
    }
    const leaf = key.segments[key.segments.length - 1]!;
    const parent = key.segments.slice(0, -1);
    const length = key.segments.length + generator.depth;
    if (parent.length === 0) continue;
    const found = new Set<string>();
    for (const child of populatedUnder(keyFromSegments(parent))) {
      if (child.segments.length < length) continue;
      const name = keyFromSegments([...child.segments.slice(0, length - 1), leaf]).name;
      if (!found.has(name)) {
        found.add(name);
        out.set(name, generator);
      }
    }
  }
  return out;
}
