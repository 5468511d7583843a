// Runs one migration document from a source datastore directory into a new target directory:
// live data with its metadata, then every pending transaction on its own (migrations.md 8.2).
// Mirrors migration-helpers' run_migration and its datastore.rs.
import { BrktError, messageOf } from '../errors';
import { parseKey } from '../datastore/key';
import { Datastore } from '../datastore/store';
import { applyDocument, type Log, type MigrationState } from './steps';
import type { Direction } from './select';
import type { MigrationDocument } from './document';
import type { HostFiles } from '../../platform/types';

/** `os.*` data of the running image, keyed as migrations see it (`os.version_id`). */
export type OsData = Record<string, string>;

/** The synthetic `os.*` keys from os-release fields and the machine architecture (8.2). */
export function osData(fields: Record<string, string>, arch: string): OsData {
  const out: OsData = {};
  const from = { pretty_name: fields.PRETTY_NAME, variant_id: fields.VARIANT_ID, version_id: fields.VERSION_ID, build_id: fields.BUILD_ID, arch };
  for (const [name, value] of Object.entries(from)) if (value !== undefined) out[`os.${name}`] = value;
  return out;
}

export interface MigrateOptions {
  source: string;
  target: string;
  direction: Direction;
  document: MigrationDocument;
  os: OsData;
  /** Lines the helpers print (what they changed); upstream logs them at debug level. */
  log: Log;
}

/**
 * Writes the migrated copy of `source` into `target`, which must not exist yet. The source is
 * only read, and must hold no interrupted commit (the migrator recovers it first). The target is
 * created first, so after a failure it stays for debugging (7).
 */
export async function migrateDatastore(files: HostFiles, options: MigrateOptions): Promise<{ states: number; keys: number }> {
  const { source, target } = options;
  if (await files.exists(target)) throw new BrktError('conflict', `Cannot migrate into ${target}: it already exists`);
  const from = new Datastore(files, source);
  const to = new Datastore(files, target);
  const live = await from.loadLive();
  await files.mkdirp(to.livePath);

  // Live: all data plus all metadata.
  const liveState: MigrationState = {
    data: new Map([...live.data].map(([name, value]) => [name, value.text])),
    metadata: new Map([...live.metadata].map(([name, metas]) => [name, new Map(metas)])),
  };
  let keys = await migrateState(to, liveState, undefined, options);

  // Each pending transaction: its data only; metadata is not transactional.
  const transactions = await from.listTransactions();
  for (const tx of transactions) {
    const values = await from.getPrefix('', tx);
    const state: MigrationState = { data: new Map(values.map(value => [value.key.name, value.text])), metadata: new Map() };
    keys += await migrateState(to, state, tx, options);
  }

  await files.fsyncDir(target);
  return { states: 1 + transactions.length, keys };
}

async function migrateState(to: Datastore, state: MigrationState, tx: string | undefined, options: MigrateOptions): Promise<number> {
  // Quirk kept: the injected os.* keys are written to the target like any other data key, as
  // upstream's helpers do; nothing reads them back from the datastore (GET /os uses os-release).
  for (const [name, value] of Object.entries(options.os)) state.data.set(name, JSON.stringify(value));
  applyDocument(options.document, options.direction, state, options.log);
  const writes: Array<[() => Promise<void>, string]> = [...state.data].map(([name, text]) => [() => to.setKey(parseKey(name), text, tx), name]);
  if (tx === undefined) {
    for (const [name, metas] of state.metadata) {
      for (const [meta, text] of metas) writes.push([() => to.setMetadata(parseKey(name), meta, text), `${name} (metadata ${meta})`]);
    }
  }
  await inParallel(writes);
  return state.data.size;
}

/**
 * Each write is atomic and fsynced; several in flight let the filesystem commit their syncs
 * together (the directory is not referenced until the flip, so their order does not matter).
 */
const WRITES_IN_FLIGHT = 32;

async function inParallel(writes: Array<[() => Promise<void>, string]>) {
  let next = 0;
  const worker = async () => {
    while (next < writes.length) {
      const [action, what] = writes[next++]!;
      await write(action, what);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITES_IN_FLIGHT, writes.length) }, worker));
}

async function write(action: () => Promise<void>, what: string) {
  try {
    await action();
  } catch (error) {
    throw new BrktError('io', `Failed to write ${what} to the new datastore: ${messageOf(error)}`, { cause: error });
  }
}
