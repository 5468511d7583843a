// What each step kind does to one state (live, or one pending transaction) in each direction.
// Mirrors migration-helpers' common_migrations.rs, including its error cases (migrations.md 8.3).
import { BrktError } from '../errors';
import { parseKey } from '../datastore/key';
import { assemble } from '../datastore/pairs';
import { renderTemplate } from '../templates/render';
import type { Direction } from './select';
import type { MigrationDocument, MigrationStepDoc } from './document';

/**
 * The input and output of a migration for one state. Values stay JSON texts, so a value no step
 * touches is copied byte for byte (number fidelity: `1.0` stays `1.0`).
 */
export interface MigrationState {
  /** Dotted key name -> JSON text. */
  data: Map<string, string>;
  /** Data key name -> metadata name -> JSON text; empty for pending transactions (8.2). */
  metadata: Map<string, Map<string, string>>;
}

export type Log = (line: string) => void;

const fail = (message: string): never => {
  throw new BrktError('invalid-input', message);
};

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // an unreadable value matches nothing, and is copied as it is
  }
};

/** Runs a document's steps: in order forward, in reverse order (each step backward) backward. */
export function applyDocument(doc: MigrationDocument, direction: Direction, state: MigrationState, log: Log): void {
  const steps = direction === 'forward' ? doc.steps : [...doc.steps].reverse();
  for (const s of steps) applyStep(s, direction, state, log);
}

export function applyStep(s: MigrationStepDoc, direction: Direction, state: MigrationState, log: Log): void {
  const forward = direction === 'forward';
  const { data, metadata } = state;
  switch (s.kind) {
    case 'NoOp':
      return;
    case 'AddSettings':
      // Forward nothing: the new defaults appear on their own (storewolf).
      if (!forward) for (const key of s.keys) removeData(data, key, log);
      return;
    case 'RemoveSettings':
      // Backward nothing: the removed values are gone.
      if (forward) for (const key of s.keys) removeData(data, key, log);
      return;
    case 'AddPrefixes':
      if (forward) return;
      for (const key of [...data.keys()]) {
        // A plain string prefix, as upstream: `settings.a` also matches `settings.ab`.
        if (s.prefixes.some(prefix => key.startsWith(prefix))) removeData(data, key, log);
      }
      return;
    case 'ReplaceString': {
      const [from, to] = forward ? [s.old, s.new] : [s.new, s.old];
      const text = data.get(s.setting);
      if (text === undefined) return log(`Found no ${s.setting} to change`);
      if (parsed(text) !== from) return log(`${s.setting} is not set to '${from}', leaving alone`);
      data.set(s.setting, JSON.stringify(to));
      return log(`Changed ${s.setting} from '${from}' to '${to}'`);
    }
    case 'ReplaceLists':
      for (const r of s.replacements) {
        const [from, to] = forward ? [r.old, r.new] : [r.new, r.old];
        const text = data.get(r.setting);
        if (text === undefined) {
          log(`Found no ${r.setting} to change`);
          continue;
        }
        if (replaceList(parsed(text), from, `setting '${r.setting}'`)) {
          data.set(r.setting, JSON.stringify(to));
          log(`Changed ${r.setting} from ${JSON.stringify(from)} to ${JSON.stringify(to)}`);
        } else log(`${r.setting} is not set to ${JSON.stringify(from)}, leaving alone`);
      }
      return;
    case 'ReplaceTemplate':
      return replaceTemplate(state, s.setting, forward ? s.old : s.new, forward ? s.new : s.old, log);
    case 'AddMetadata':
    case 'RemoveMetadata':
      // AddMetadata removes backward, RemoveMetadata removes forward; the other way is a no-op.
      if ((s.kind === 'AddMetadata') === forward) return;
      for (const entry of s.entries) {
        const metas = metadata.get(entry.setting);
        for (const name of entry.metadata) {
          if (metas?.delete(name)) log(`Removed metadata '${name}' of ${entry.setting}`);
          else log(`Found no metadata '${name}' of ${entry.setting} to remove`);
        }
      }
      return;
    case 'ReplaceMetadataLists':
      for (const r of s.replacements) {
        const [from, to] = forward ? [r.old, r.new] : [r.new, r.old];
        const metas = metadata.get(r.setting);
        const text = metas?.get(r.metadata);
        if (text === undefined) {
          log(`Found no metadata '${r.metadata}' of ${r.setting} to change`);
          continue;
        }
        if (replaceList(parsed(text), from, `metadata '${r.metadata}' of '${r.setting}'`)) {
          metas!.set(r.metadata, JSON.stringify(to));
          log(`Changed metadata '${r.metadata}' of ${r.setting} from ${JSON.stringify(from)} to ${JSON.stringify(to)}`);
        } else log(`Metadata '${r.metadata}' of ${r.setting} is not ${JSON.stringify(from)}, leaving alone`);
      }
      return;
    case 'ReplaceMetadata':
      for (const r of s.replacements) {
        const [from, to] = forward ? [r.old, r.new] : [r.new, r.old];
        const metas = metadata.get(r.setting);
        const text = metas?.get(r.metadata);
        // Missing, non-string or different: unchanged, and no error (upstream).
        if (text === undefined || parsed(text) !== from) {
          log(`Metadata '${r.metadata}' of ${r.setting} is not '${from}', leaving alone`);
          continue;
        }
        metas!.set(r.metadata, JSON.stringify(to));
        log(`Changed metadata '${r.metadata}' of ${r.setting} from '${from}' to '${to}'`);
      }
      return;
    case 'RenameSettings': {
      const renames = forward ? s.renames : [...s.renames].reverse().map(r => ({ from: r.to, to: r.from }));
      for (const r of renames) rename(state, r.from, r.to, log);
      return;
    }
  }
}

function removeData(data: Map<string, string>, key: string, log: Log) {
  const text = data.get(key);
  if (text === undefined) return log(`Found no ${key} to remove`);
  data.delete(key);
  log(`Removed ${key}, which was set to '${text}'`);
}

/**
 * True when `value` is a list of strings equal to `from` (order matters). A list holding
 * anything but strings is an error, whether or not it would match (upstream); other values
 * never match.
 */
function replaceList(value: unknown, from: readonly string[], what: string): boolean {
  if (!Array.isArray(value)) return false;
  if (!value.every(item => typeof item === 'string')) fail(`Cannot replace list of ${what}: it holds a value that is not a string: ${JSON.stringify(value)}`);
  return value.length === from.length && value.every((item, i) => item === from[i]);
}

/**
 * schnauzer v1 templates (deprecated upstream): the value must be a string; when its `template`
 * metadata is `from` and rendering `from` gives the current value, render `to` instead.
 */
function replaceTemplate(state: MigrationState, setting: string, from: string, to: string, log: Log) {
  const text = state.data.get(setting);
  if (text === undefined) return log(`Found no ${setting} to change`);
  const value = parsed(text);
  if (typeof value !== 'string') fail(`Cannot replace the template of setting '${setting}': its value is not a string: ${text}`);
  const metas = state.metadata.get(setting);
  const template = metas?.get('template');
  if (template === undefined || parsed(template) !== from) return log(`Template for ${setting} is not set to '${from}', leaving alone`);
  const input = templateInput(state.data);
  if (renderTemplate(from, input, `of ${setting}`) !== value) return log(`${setting} was changed since it was generated from its template, leaving alone`);
  state.data.set(setting, JSON.stringify(renderTemplate(to, input, `of ${setting}`)));
  metas!.set('template', JSON.stringify(to));
  log(`Changed the template of ${setting} from '${from}' to '${to}'`);
}

/** `{ settings: …, os: … }` nested by key segments; other prefixes are not visible (8.3). */
function templateInput(data: Map<string, string>): unknown {
  const pairs = [...data]
    .filter(([name]) => name.startsWith('settings.') || name.startsWith('os.'))
    .map(([name, text]) => ({ segments: parseKey(name).segments, text }));
  return assemble(pairs).value;
}

/** Moves `from` and every key below it (whole segments) to `to`, with their metadata. */
function rename(state: MigrationState, from: string, to: string, log: Log) {
  const moved = (name: string) => (name === from ? to : name.startsWith(from + '.') ? to + name.slice(from.length) : undefined);
  let count = 0;
  for (const [name, text] of [...state.data]) {
    const target = moved(name);
    if (target === undefined) continue;
    state.data.delete(name);
    // The old name held the user's value; it wins over anything already at the new name.
    state.data.set(target, text);
    count++;
  }
  for (const [name, metas] of [...state.metadata]) {
    const target = moved(name);
    if (target === undefined) continue;
    state.metadata.delete(name);
    const existing = state.metadata.get(target) ?? new Map<string, string>();
    for (const [meta, text] of metas) existing.set(meta, text);
    state.metadata.set(target, existing);
  }
  log(count ? `Moved ${from} to ${to} (${count} ${count === 1 ? 'key' : 'keys'})` : `Found no ${from} to move`);
}
