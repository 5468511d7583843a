// brkt's typed view of settings on the command line: dotted keys (cli.md "Dotted keys"), values
// typed by the model's schema, and the flat key=value form `brkt settings get` prints.
import type { TSchema } from '@sinclair/typebox';
import { BrktError } from '../errors';
import { keyFromSegments, parseKey } from '../datastore/key';
import { isObject, type Json } from './deep-merge';

type Node = TSchema & {
  type?: string;
  properties?: Record<string, Node>;
  patternProperties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  description?: string;
  title?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  'x-brkt-type'?: string;
};

/** Segments under `settings`: the leading `settings.` is optional; quoted segments may hold dots. */
export function parseSettingKey(text: string): string[] {
  const segments = [...parseKey(text).segments];
  return segments[0] === 'settings' ? segments.slice(1) : segments;
}

/** The canonical dotted name under settings (`kubernetes.node-labels."a.b"`). */
export const settingName = (segments: readonly string[]) => (segments.length ? keyFromSegments(segments).name : 'settings');

/** The schema node of a setting, or undefined when the model has no such key. */
export function schemaAt(schema: TSchema, segments: readonly string[]): Node | undefined {
  let node: Node | undefined = schema as Node;
  for (const segment of segments) {
    if (!node || node.type !== 'object') return undefined;
    if (node.properties) node = node.properties[segment];
    else if (node.patternProperties) node = Object.values(node.patternProperties)[0];
    else node = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
  }
  return node;
}

/** `max-pods=110` is a number because the schema says so; a string setting keeps its text. */
export function typedValue(schema: TSchema, segments: readonly string[], raw: string): Json {
  const name = settingName(segments);
  const node = schemaAt(schema, segments);
  if (!node) throw new BrktError('invalid-input', `Unknown setting '${name}'`);
  const bad = (what: string) => new BrktError('invalid-input', `Setting '${name}' takes ${what}, not '${raw}'`);
  switch (node.type) {
    case 'string':
      return raw;
    case 'integer':
      if (!/^-?\d+$/.test(raw)) throw bad('an integer');
      return Number(raw);
    case 'number':
      if (raw.trim() === '' || !Number.isFinite(Number(raw))) throw bad('a number');
      return Number(raw);
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw bad('true or false');
      return raw === 'true';
    default: {
      // Lists and maps are given as JSON: ntp.time-servers='["a","b"]'.
      try {
        return JSON.parse(raw) as Json;
      } catch {
        throw bad(node.type === 'array' ? 'a JSON list such as ["a","b"]' : 'a JSON object');
      }
    }
  }
}

/** Puts `value` at `segments` in a nested document, creating maps on the way. */
export function setIn(document: Record<string, Json>, segments: readonly string[], value: Json) {
  let node = document;
  segments.forEach((segment, index) => {
    if (index === segments.length - 1) {
      node[segment] = value;
      return;
    }
    if (!isObject(node[segment])) node[segment] = {};
    node = node[segment] as Record<string, Json>;
  });
}

export function getIn(document: Json | undefined, segments: readonly string[]): Json | undefined {
  let node = document;
  for (const segment of segments) {
    if (!isObject(node)) return undefined;
    node = node[segment];
  }
  return node;
}

/** Leaves of a settings document as key=value pairs; lists stay whole, as they are stored. */
export function flattenSettings(document: Json, prefix: string[] = []): Array<{ segments: string[]; value: Json }> {
  if (!isObject(document)) return prefix.length ? [{ segments: prefix, value: document }] : [];
  return Object.keys(document).sort().flatMap(key => flattenSettings(document[key]!, [...prefix, key]));
}

// Characters a terminal acts on or a line reader splits at: controls (C0, DEL, C1), format
// characters (bidirectional overrides, zero-width, BOM), line and paragraph separators, and lone
// surrogates.
const UNSAFE_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNSAFE_CHARACTERS = new RegExp(UNSAFE_CHARACTER.source, 'gu');

/** True when a string printed as itself on a `key=value` line could mislead a reader or a terminal. */
const needsQuoting = (text: string) => text.startsWith('"') || text !== text.trim() || UNSAFE_CHARACTER.test(text);

/**
 * JSON text in which every unsafe character is a `\uXXXX` escape: JSON.stringify escapes C0
 * controls but leaves DEL, C1 and format characters raw. Such characters only occur inside string
 * literals, so the result is still JSON of the same value.
 */
export function safeJson(value: Json): string {
  return JSON.stringify(value).replace(UNSAFE_CHARACTERS, char =>
    Array.from({ length: char.length }, (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
}

/**
 * A value of the `key=value` form. Plain strings print as themselves, so the output can be pasted
 * back into `brkt settings set`; a string that starts with `"`, has surrounding whitespace or holds
 * a control or format character prints as a JSON string, so one line is always one setting and
 * nothing reaches the terminal raw. Other values print as JSON.
 */
export const formatValue = (value: Json) => (typeof value === 'string' && !needsQuoting(value) ? value : safeJson(value));

export interface SettingChange {
  key: string;
  segments: string[];
  old?: Json;
  new?: Json;
}

/** Leaves that differ between two documents; `new` is absent for a removed key. */
export function diffSettings(before: Json, after: Json): SettingChange[] {
  const oldLeaves = new Map(flattenSettings(before).map(leaf => [settingName(leaf.segments), leaf]));
  const newLeaves = new Map(flattenSettings(after).map(leaf => [settingName(leaf.segments), leaf]));
  const keys = [...new Set([...oldLeaves.keys(), ...newLeaves.keys()])].sort();
  const changes: SettingChange[] = [];
  for (const key of keys) {
    const was = oldLeaves.get(key);
    const now = newLeaves.get(key);
    if (was && now && JSON.stringify(was.value) === JSON.stringify(now.value)) continue;
    changes.push({ key, segments: (now ?? was)!.segments, old: was?.value, new: now?.value });
  }
  return changes;
}

/** A short description of what a schema node accepts, for `brkt settings describe`. */
export function describeRule(node: Node): { type: string; rule?: string; description?: string } {
  const rules: string[] = [];
  if (node['x-brkt-type']) rules.push(node['x-brkt-type']);
  if (node.enum) rules.push(`one of ${node.enum.join(', ')}`);
  if (node.minimum !== undefined || node.maximum !== undefined) rules.push(`${node.minimum ?? '-inf'}..${node.maximum ?? 'inf'}`);
  if (node.pattern && !node['x-brkt-type']) rules.push(`matches ${node.pattern}`);
  const type = node.type === 'array' ? `list of ${node.items?.type ?? 'values'}` : node.type === 'object' ? (node.properties ? 'group' : 'map') : node.type ?? 'value';
  return { type, rule: rules.length ? rules.join('; ') : undefined, description: node.description };
}
