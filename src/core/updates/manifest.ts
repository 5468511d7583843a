// manifest.json: the list of releases and the migrations between versions (updates.md 2).
// Mirrors upstream's update_metadata crate, including the errors serde reports.
import { BrktError } from '../errors';
import { formatInstant, tryParseInstant, type Instant } from './datetime';
import { isJsonObject, parseJsonEntries, type JsonObject, type JsonValue } from './json-entries';
import { compareVersions, tryParseVersion, type Version } from './version';

export interface Images {
  boot: string;
  root: string;
  hash: string;
}

/** A wave: hosts whose seed is up to `seed` may start at `start`. Kept sorted by seed. */
export interface WaveBound {
  seed: number;
  start: Instant;
}

export interface Update {
  variant: string;
  arch: string;
  version: Version;
  maxVersion: Version;
  waves: WaveBound[];
  images: Images;
}

export interface MigrationStep {
  from: Version;
  to: Version;
  names: string[];
}

export interface Manifest {
  updates: Update[];
  migrations: MigrationStep[];
}

const U32_MAX = 4294967295;
/** Upstream's pattern, searched rather than anchored. */
const MIGRATION_KEY = /\(([^ ,]+),[ ]*([^ ,]+)\)/;

const bad = (reason: string): never => {
  throw new BrktError('invalid-input', `Failed to parse manifest.json: ${reason}`);
};

/** Members of a struct: duplicates of a known field are an error, unknown members are ignored. */
function fields(object: JsonValue | undefined, where: string, names: readonly string[]): Record<string, JsonValue> {
  if (!isJsonObject(object)) return bad(`${where} is not an object`);
  const found: Record<string, JsonValue> = {};
  for (const [key, value] of object.entries) {
    if (!names.includes(key)) continue;
    if (key in found) bad(`duplicate field '${key}' in ${where}`);
    found[key] = value;
  }
  for (const name of names) if (!(name in found)) bad(`missing field '${name}' in ${where}`);
  return found;
}

function text(value: JsonValue, where: string): string {
  return typeof value === 'string' ? value : bad(`${where} is not a string`);
}

function version(value: JsonValue, where: string): Version {
  const raw = text(value, where);
  return tryParseVersion(raw) ?? bad(`${where} '${raw}' is not a SemVer version`);
}

/** Wave keys are Rust `u32`s: digits with an optional `+`, no sign, no spaces. */
export function parseWaveSeed(key: string): number | undefined {
  if (!/^\+?\d+$/.test(key)) return undefined;
  const value = Number(key.replace(/^\+/, ''));
  return value <= U32_MAX ? value : undefined;
}

function waves(value: JsonValue, where: string): WaveBound[] {
  if (!isJsonObject(value)) return bad(`${where} is not an object`);
  const bounds = new Map<number, Instant>();
  for (const [key, start] of value.entries) {
    const seed = parseWaveSeed(key);
    if (seed === undefined) bad(`bad bound field '${key}' in ${where}`);
    if (bounds.has(seed!)) bad(`duplicate key ID ${seed} in ${where}`);
    const raw = text(start, `${where}["${key}"]`);
    const instant = tryParseInstant(raw);
    if (instant === undefined) bad(`${where}["${key}"] '${raw}' is not an RFC 3339 date-time`);
    bounds.set(seed!, instant!);
  }
  return [...bounds].map(([seed, start]) => ({ seed, start })).sort((a, b) => a.seed - b.seed);
}

function update(value: JsonValue, index: number): Update {
  const where = `updates[${index}]`;
  const f = fields(value, where, ['variant', 'arch', 'version', 'max_version', 'waves', 'images']);
  const images = fields(f.images, `${where}.images`, ['boot', 'root', 'hash']);
  return {
    variant: text(f.variant!, `${where}.variant`),
    arch: text(f.arch!, `${where}.arch`),
    version: version(f.version!, `${where}.version`),
    maxVersion: version(f.max_version!, `${where}.max_version`),
    waves: waves(f.waves!, `${where}.waves`),
    images: {
      boot: text(images.boot!, `${where}.images.boot`),
      root: text(images.root!, `${where}.images.root`),
      hash: text(images.hash!, `${where}.images.hash`),
    },
  };
}

/** Parses the `(FROM, TO)` keys of a migrations table; shared with Release.toml. */
export function parseMigrationKey(key: string, where = 'migrations'): { from: Version; to: Version } {
  const match = MIGRATION_KEY.exec(key);
  const from = match && tryParseVersion(match[1]!);
  const to = match && tryParseVersion(match[2]!);
  if (!from || !to) return bad(`could not parse OS versions in ${where} key '${key}'`);
  return { from, to };
}

/** Migration steps from `(FROM, TO)` keys; two keys naming the same pair are an error. */
export function migrationSteps(entries: Array<[string, JsonValue]>, where: string): MigrationStep[] {
  const steps: MigrationStep[] = [];
  const seen = new Set<string>();
  for (const [key, names] of entries) {
    const { from, to } = parseMigrationKey(key, where);
    const id = migrationKey(from, to);
    if (seen.has(id)) bad(`duplicate version key '${id}' in ${where}`);
    seen.add(id);
    if (!Array.isArray(names)) return bad(`${where}["${key}"] is not an array`);
    steps.push({ from, to, names: names.map((name, i) => text(name, `${where}["${key}"][${i}]`)) });
  }
  return steps;
}

/** Parses manifest.json text exactly as updates.md 2.1 says. */
export function parseManifest(source: string | Uint8Array): Manifest {
  const raw = typeof source === 'string' ? source : new TextDecoder().decode(source);
  const top = fields(parseJsonEntries(raw, 'manifest.json'), 'the manifest', ['updates', 'migrations']);
  if (!Array.isArray(top.updates)) return bad('updates is not an array');
  if (!isJsonObject(top.migrations)) return bad('migrations is not an object');
  return {
    updates: top.updates.map(update),
    migrations: migrationSteps((top.migrations as JsonObject).entries, 'migrations'),
  };
}

export const migrationKey = (from: Version, to: Version) => `(${from.text}, ${to.text})`;

/** The JSON form of an update (members in upstream's order), as `updog --json` prints it. */
export function updateToJson(u: Update) {
  return {
    variant: u.variant,
    arch: u.arch,
    version: u.version.text,
    max_version: u.maxVersion.text,
    waves: Object.fromEntries([...u.waves].sort((a, b) => a.seed - b.seed).map(w => [String(w.seed), formatInstant(w.start)])),
    images: { boot: u.images.boot, root: u.images.root, hash: u.images.hash },
  };
}

export function manifestToJson(manifest: Manifest) {
  const migrations = manifest.migrations
    .map(step => [migrationKey(step.from, step.to), step.names] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { updates: manifest.updates.map(updateToJson), migrations: Object.fromEntries(migrations) };
}

/** Pretty JSON with 2-space indentation, as upstream writes manifests. */
export function serializeManifest(manifest: Manifest): string {
  return JSON.stringify(manifestToJson(manifest), null, 2);
}

export const emptyManifest = (): Manifest => ({ updates: [], migrations: [] });

export const byVersionDescending = (a: Update, b: Update) => compareVersions(b.version, a.version);
