// A host's configuration as it grows: the same figures at 100, 1,000 and 10,000 settings keys
// (custom host containers, three keys each), each beside its reference in the same run:
// commit_and_apply of all keys beside `cp -a` of the live datastore + `sync -f`; reboot and
// first boot to serving beside the same at ~40 keys; the serving process's RSS beside its RSS at
// ~40 keys; GET /settings throughput beside a fixed-body Bun.serve; the migrator beside `cp -a`
// + `sync -f`; the commit of one setting beside write + fsync + rename + directory fsync.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRKT, SCRATCH } from './setup';
import { fmtMiB, fmtMs, median, type Row } from './measure';
import { ServingBoot } from './serving-boot';
import { throughput } from './throughput';
import { commitFloor } from './commit-floor';

const BIN = process.env.BRKT_BIN ?? BRKT;
const SIZES = (process.env.BRKT_BENCH_SIZES ?? '100,1000,10000').split(',').map(Number);
const ONE_KEY_COMMITS = 30;
const DATASTORE = 'var/lib/bottlerocket/datastore';

/** `count` settings keys as custom host containers (source, enabled, superpowered). */
export function hostContainerSettings(count: number): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (let i = 0; i * 3 < count; i++) {
    containers[`bench-${i}`] = { source: `registry.example.com/bench/c${i}:v1`, enabled: false, superpowered: i % 2 === 0 };
  }
  return { 'host-containers': containers };
}

function tomlOf(settings: Record<string, unknown>): string {
  const containers = settings['host-containers'] as Record<string, { source: string; enabled: boolean; superpowered: boolean }>;
  return Object.entries(containers)
    .map(([name, c]) => `[settings.host-containers.${name}]\nsource = "${c.source}"\nenabled = ${c.enabled}\nsuperpowered = ${c.superpowered}\n`)
    .join('\n');
}

function initSandbox(root: string, userData?: string) {
  rmSync(root, { recursive: true, force: true });
  const init = Bun.spawnSync({ cmd: [BIN, 'dev', 'init', root] });
  if (init.exitCode !== 0) throw new Error(`brkt dev init failed: ${init.stderr.toString()}`);
  if (userData !== undefined) writeFileSync(join(root, 'var/lib/bottlerocket/user-data.toml'), userData);
}

function timedShell(script: string): number {
  const start = performance.now();
  const result = Bun.spawnSync({ cmd: ['sh', '-c', script], stdout: 'ignore', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`${script}: ${result.stderr.toString()}`);
  return performance.now() - start;
}

/** The cheapest durable copy of the live datastore: GNU cp and syncfs of its filesystem. */
function copyFloor(root: string): number {
  const copy = join(root, 'copy-floor');
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    rmSync(copy, { recursive: true, force: true });
    times.push(timedShell(`cp -a '${join(root, DATASTORE, 'current/live')}' '${copy}' && sync -f '${copy}'`));
  }
  rmSync(copy, { recursive: true, force: true });
  return median(times);
}

/** write + fsync + rename + directory fsync of one small file: a durable single-key commit. */
const oneKeyFloor = (dir: string) => commitFloor(dir, ONE_KEY_COMMITS).withDir;

async function oneKeyCommits(boot: ServingBoot): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ONE_KEY_COMMITS; i++) {
    await boot.request('PATCH', '/settings?tx=bench-one', { motd: `bench ${i}` }, 204);
    const start = performance.now();
    await boot.request('POST', '/tx/commit?tx=bench-one', undefined, 200);
    times.push(performance.now() - start);
  }
  return median(times);
}

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

interface Figures {
  keys: number;
  commitApply: number;
  copyFloor: number;
  reboot: number;
  firstBoot: number;
  rss: number;
  commitPeakRss: number;
  rps: number;
  ceilingRps: number;
  migrate: number;
  migrateFloor: number;
  oneKey: number;
  oneKeyFloor: number;
}

/** Reboot and first boot at ~40 keys, RSS at ~40 keys and one-key commits there: the baselines. */
async function baseline(root: string) {
  initSandbox(root);
  const start = performance.now();
  const boot = await ServingBoot.start(BIN, root);
  const firstBoot = performance.now() - start;
  try {
    const reboot = median([await boot.reboot(), await boot.reboot(), await boot.reboot()]);
    const oneKey = await oneKeyCommits(boot);
    const floor = oneKeyFloor(join(root, DATASTORE, 'current'));
    return { firstBoot, reboot, rss: rssOf(boot.pid).rss, oneKey, oneKeyFloor: floor };
  } finally {
    await boot.stop();
  }
}

async function atSize(root: string, keys: number): Promise<Figures> {
  const settings = hostContainerSettings(keys);
  // commit_and_apply of the keys on a fresh host.
  initSandbox(root);
  let boot = await ServingBoot.start(BIN, root);
  let commitApply = Number.NaN;
  let commitPeakRss = Number.NaN;
  try {
    await boot.request('PATCH', '/settings?tx=bench', settings, 204);
    const start = performance.now();
    await boot.request('POST', '/tx/commit_and_apply?tx=bench', undefined, 200);
    commitApply = performance.now() - start;
    commitPeakRss = rssOf(boot.pid).peak;
  } catch (error) {
    console.error(`${keys} keys: commit_and_apply failed: ${String(error).slice(0, 200)}`);
  } finally {
    await boot.stop();
  }

  // First boot with the keys in user data; the rest on the host it made.
  initSandbox(root, tomlOf(settings));
  const start = performance.now();
  boot = await ServingBoot.start(BIN, root);
  const firstBoot = performance.now() - start;
  try {
    const floor = copyFloor(root);
    const reboot = median([await boot.reboot(), await boot.reboot(), await boot.reboot()]);
    const rss = rssOf(boot.pid).rss;
    const body = await boot.text('/settings');
    const served = await throughput(boot.socket, '/settings');
    const ceiling = await ServingBoot.ceiling(root, body);
    const top = await throughput(ceiling.socket, '/settings');
    ceiling.stop();
    const oneKey = await oneKeyCommits(boot);
    const oneFloor = oneKeyFloor(join(root, DATASTORE, 'current'));
    await boot.stop();
    const { migrate, migrateFloor } = migrateAt(root);
    return { keys, commitApply, copyFloor: floor, reboot, firstBoot, rss, commitPeakRss, rps: served.rps, ceilingRps: top.rps, migrate, migrateFloor, oneKey, oneKeyFloor: oneFloor };
  } finally {
    await boot.stop();
  }
}

/** The migrator moving this datastore to 1.1.0 (no migration documents: a copy) beside cp -a. */
function migrateAt(root: string): { migrate: number; migrateFloor: number } {
  const ours: number[] = [];
  const floors: number[] = [];
  const base = join(root, DATASTORE);
  const versionDir = readFileSync(join(root, 'etc/os-release'), 'utf8');
  for (let i = 0; i < 3; i++) {
    const work = join(root, `migrate-${i}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'etc'), { recursive: true });
    mkdirSync(join(work, 'var/lib/bottlerocket'), { recursive: true });
    timedShell(`cp -a '${base}' '${join(work, DATASTORE)}' && sync`);
    writeFileSync(join(work, 'etc/os-release'), versionDir.replace(/^VERSION_ID=.*$/m, 'VERSION_ID=1.1.0'));
    mkdirSync(join(work, 'var/lib/bottlerocket-migrations'), { recursive: true });
    writeFileSync(join(work, 'var/lib/bottlerocket-migrations/manifest.json'), JSON.stringify({ updates: [], migrations: { '(1.0.0, 1.1.0)': [] } }));
    const start = performance.now();
    const result = Bun.spawnSync({ cmd: [BIN, 'migrator'], env: { BRKT_ROOT: work, PATH: process.env.PATH ?? '' }, stdout: 'ignore', stderr: 'pipe' });
    ours.push(performance.now() - start);
    if (result.exitCode !== 0) throw new Error(`brkt migrator failed: ${result.stderr.toString()}`);
    const copy = join(work, 'copy-floor');
    floors.push(timedShell(`cp -a '${join(base, 'current')}/' '${copy}' && sync -f '${copy}'`));
    rmSync(work, { recursive: true, force: true });
  }
  return { migrate: median(ours), migrateFloor: median(floors) };
}

export async function benchScale(): Promise<Row[]> {
  mkdirSync(SCRATCH, { recursive: true });
  const root = join(SCRATCH, `scale-${process.pid}`);
  try {
    const base = await baseline(root);
    const rows: Row[] = [
      { name: '~40 keys: first boot to serving', ours: fmtMs(base.firstBoot), reference: '-', ratio: 1 },
      { name: '~40 keys: reboot to serving', ours: fmtMs(base.reboot), reference: '-', ratio: 1 },
      { name: '~40 keys: serving RSS', ours: fmtMiB(base.rss), reference: '-', ratio: 1 },
      { name: '~40 keys: commit of one setting', ours: fmtMs(base.oneKey), reference: fmtMs(base.oneKeyFloor), ratio: base.oneKey / base.oneKeyFloor, goal: '<= 2x write+fsync+rename+dir fsync' },
    ];
    for (const keys of SIZES) {
      const f = await atSize(root, keys);
      const n = keys.toLocaleString('en-US');
      rows.push(
        { name: `${n} keys: commit_and_apply`, ours: fmtMs(f.commitApply), reference: fmtMs(f.copyFloor), ratio: f.commitApply / f.copyFloor, goal: '<= 2x cp -a + sync -f' },
        { name: `${n} keys: reboot to serving`, ours: fmtMs(f.reboot), reference: fmtMs(base.reboot), ratio: f.reboot / base.reboot, goal: '<= 4x at ~40 keys' },
        { name: `${n} keys: first boot to serving`, ours: fmtMs(f.firstBoot), reference: fmtMs(base.firstBoot), ratio: f.firstBoot / base.firstBoot, goal: '<= 4x at ~40 keys' },
        { name: `${n} keys: serving RSS`, ours: fmtMiB(f.rss), reference: fmtMiB(base.rss), ratio: f.rss / base.rss, goal: '<= 1.5x at ~40 keys' },
        { name: `${n} keys: peak RSS of the commit`, ours: fmtMiB(f.commitPeakRss), reference: fmtMiB(base.rss), ratio: f.commitPeakRss / base.rss },
        { name: `${n} keys: GET /settings`, ours: `${Math.round(f.rps)} req/s`, reference: `${Math.round(f.ceilingRps)} req/s`, ratio: f.rps / f.ceilingRps, goal: '>= 0.5x fixed-body Bun.serve' },
        { name: `${n} keys: migrate`, ours: fmtMs(f.migrate), reference: fmtMs(f.migrateFloor), ratio: f.migrate / f.migrateFloor, goal: '<= 1.2x cp -a + sync -f' },
        { name: `${n} keys: commit of one setting`, ours: fmtMs(f.oneKey), reference: fmtMs(f.oneKeyFloor), ratio: f.oneKey / f.oneKeyFloor, goal: '<= 2x write+fsync+rename+dir fsync' },
      );
    }
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { printRows } = await import('./measure');
  printRows('scale', await benchScale());
}
