// SIGKILL during `brkt migrator` at random instants: `current` must always resolve to a complete
// datastore (all old values, or all new ones), and the next run must finish the job.
import { expect, test } from 'bun:test';
import { mkdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BRKT_BIN, testEnv } from '../helpers/brkt';
import type { TempDir } from '../helpers/sandbox';
import { makePlatform } from '../../src/platform';
import { Datastore } from '../../src/core/datastore/store';
import { osReleaseFor } from '../../src/core/sandbox/init';
import { DATASTORE_BASE, makeDatastoreRoot, MIGRATIONS_DIR } from '../helpers/datastore-root';
import { parseKey } from '../../src/core/datastore/key';

const BASE = DATASTORE_BASE;
const MIGRATIONS = MIGRATIONS_DIR;
const KILLS = 32;
const GROUPS = 12;
const KEYS_PER_GROUP = 10;

/** Three migrations, so runs also create and delete intermediate directories. */
const DOCUMENTS = {
  'migrate_v1.1.0_rename.json': { steps: [{ kind: 'RenameSettings', renames: [{ from: 'settings.group-0', to: 'settings.renamed' }] }] },
  'migrate_v1.1.0_motd.json': { steps: [{ kind: 'ReplaceString', setting: 'settings.motd', old: 'old', new: 'new' }] },
  'migrate_v1.1.0_noop.json': { steps: [{ kind: 'NoOp' }] },
};

/** The settings each version's datastore must hold, complete. */
function expectedSettings(version: '1.0.0' | '1.1.0'): Record<string, string> {
  const out: Record<string, string> = { 'settings.motd': JSON.stringify(version === '1.0.0' ? 'old' : 'new') };
  for (let g = 0; g < GROUPS; g++) {
    const group = g === 0 && version === '1.1.0' ? 'renamed' : `group-${g}`;
    for (let k = 0; k < KEYS_PER_GROUP; k++) out[`settings.${group}.key-${k}`] = JSON.stringify(`value ${g}.${k}`);
  }
  return out;
}

async function makeRoot(): Promise<TempDir> {
  const { dir, store } = makeDatastoreRoot('brkt-migrator-crash-', '1.0.0');
  for (const [name, text] of Object.entries(expectedSettings('1.0.0'))) await store.setKey(parseKey(name), text);
  await store.setKey(parseKey('settings.group-0.key-0'), '"pending"', 'user');
  mkdirSync(dir.path(MIGRATIONS), { recursive: true });
  writeFileSync(dir.path(`${MIGRATIONS}/manifest.json`), JSON.stringify({ updates: [], migrations: { '(1.0.0, 1.1.0)': Object.keys(DOCUMENTS) } }));
  for (const [name, doc] of Object.entries(DOCUMENTS)) writeFileSync(dir.path(`${MIGRATIONS}/${name}`), JSON.stringify(doc));
  return dir;
}

/** The version `current` names through its links, and the settings of the directory it reaches. */
async function observe(dir: TempDir) {
  const base = dir.path(BASE);
  const patch = readlinkSync(`${base}/${readlinkSync(`${base}/${readlinkSync(`${base}/current`)}`)}`);
  const version = patch.slice(1) as '1.0.0' | '1.1.0';
  const directory = basename(realpathSync(`${base}/current`));
  const store = new Datastore(makePlatform({ root: dir.root, env: {} }).files, `${base}/current`);
  const { data } = await store.loadLive();
  const settings = Object.fromEntries([...data].filter(([name]) => name.startsWith('settings.')).map(([name, value]) => [name, value.text]));
  const pendingKeys = (await store.getPrefix('settings.', 'user')).map(value => value.key.name);
  return { version, directory, settings, pendingKeys };
}

function spawnMigrator(dir: TempDir) {
  return Bun.spawn({ cmd: [BRKT_BIN, 'migrator'], env: { ...testEnv, BRKT_ROOT: dir.root }, stdout: 'ignore', stderr: 'pipe' });
}

async function expectComplete(dir: TempDir) {
  const seen = await observe(dir);
  expect(seen.directory.startsWith(`v${seen.version}_`)).toBe(true);
  expect(seen.settings).toEqual(expectedSettings(seen.version));
  expect(seen.pendingKeys).toEqual([seen.version === '1.0.0' ? 'settings.group-0.key-0' : 'settings.renamed.key-0']);
  return seen.version;
}

test('SIGKILL at random instants leaves current on a complete datastore, and the next run completes', async () => {
  await using dir = await makeRoot();
  // One undisturbed run each way gives the span to aim the kills at.
  const durations: number[] = [];
  for (const version of ['1.1.0', '1.0.0'] as const) {
    writeFileSync(dir.path('etc/os-release'), osReleaseFor(version, 'aws-dev'));
    const start = performance.now();
    const proc = spawnMigrator(dir);
    expect(await proc.exited).toBe(0);
    durations.push(performance.now() - start);
    expect(await expectComplete(dir)).toBe(version);
  }
  // The shorter run: a run that ends early under a busy disk must still mostly be hit.
  const span = Math.min(...durations);

  let killed = 0;
  const seenAfterKill = new Set<string>();
  for (let i = 0; i < KILLS; i++) {
    const target = i % 2 === 0 ? '1.1.0' : '1.0.0';
    const before = (await observe(dir)).version;
    writeFileSync(dir.path('etc/os-release'), osReleaseFor(target, 'aws-dev'));
    const proc = spawnMigrator(dir);
    // The crash is injected at a random instant of the run; nothing waits on a guess.
    const timer = setTimeout(() => proc.kill('SIGKILL'), Math.random() * span);
    await proc.exited;
    clearTimeout(timer);
    if (proc.signalCode === 'SIGKILL') killed++;
    else expect(proc.exitCode).toBe(0);

    const after = await expectComplete(dir);
    expect([before, target]).toContain(after);
    seenAfterKill.add(after === target ? 'new' : 'old');

    const rerun = spawnMigrator(dir);
    expect(await rerun.exited).toBe(0);
    expect(await expectComplete(dir)).toBe(target);
  }
  // Enough of the kills landed inside a run for the test to mean something.
  expect(killed).toBeGreaterThanOrEqual(KILLS / 2);
  console.log(`migrator crash test: ${killed} of ${KILLS} runs killed (run span ${span.toFixed(0)} ms); after a kill current was ${[...seenAfterKill].join(' or ')}`);
});
