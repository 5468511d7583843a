// The migrator on a 1,000-key datastore: one migration copies every value into a new durable
// directory and flips the links. The reference copies the same directory with GNU `cp -a` and
// makes it durable with `sync -f` (syncfs of that filesystem), the cheapest durable copy.
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRKT, SCRATCH } from './setup';
import { fmtMs, median, type Row } from './measure';
import { RootedFiles } from '../src/platform/files';
import { Datastore } from '../src/core/datastore/store';
import { parseKey } from '../src/core/datastore/key';
import { osReleaseFor } from '../src/core/sandbox/init';

const KEYS = 1000;
const RUNS = 10;
const BASE = 'var/lib/bottlerocket/datastore';
const ORIGINAL = 'v1.0.0_AAAAAAAAAAAAAAAA';

/** Points the 1.0.0 chain at the original directory and removes what earlier runs made. */
function reset(base: string) {
  for (const name of readdirSync(base)) if (name !== ORIGINAL) rmSync(join(base, name), { recursive: true, force: true });
  symlinkSync(ORIGINAL, join(base, 'v1.0.0'));
  symlinkSync('v1.0.0', join(base, 'v1.0'));
  symlinkSync('v1.0', join(base, 'v1'));
  symlinkSync('v1', join(base, 'current'));
}

function timed(cmd: string[], env?: Record<string, string>): number {
  const start = performance.now();
  const result = Bun.spawnSync({ cmd, env, stdout: 'ignore', stderr: 'pipe' });
  const ms = performance.now() - start;
  if (result.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed (${result.exitCode}): ${result.stderr.toString()}`);
  return ms;
}

export async function benchMigrator(): Promise<Row[]> {
  const bin = process.env.BRKT_BIN ?? BRKT;
  const root = join(SCRATCH, `migrator-${process.pid}`);
  const base = join(root, BASE);
  mkdirSync(join(base, ORIGINAL, 'live'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/os-release'), osReleaseFor('1.1.0', 'aws-dev'));
  const store = new Datastore(new RootedFiles(root), join(base, ORIGINAL));
  for (let i = 0; i < KEYS; i++) await store.setKey(parseKey(`settings.group-${i % 50}.key-${i}`), JSON.stringify(`value ${i}`));
  const migrations = join(root, 'var/lib/bottlerocket-migrations');
  mkdirSync(migrations, { recursive: true });
  writeFileSync(join(migrations, 'manifest.json'), JSON.stringify({ updates: [], migrations: { '(1.0.0, 1.1.0)': ['migrate_v1.1.0_rename.json'] } }));
  writeFileSync(join(migrations, 'migrate_v1.1.0_rename.json'), JSON.stringify({ steps: [{ kind: 'RenameSettings', renames: [{ from: 'settings.group-0', to: 'settings.renamed' }] }] }));

  const env = { BRKT_ROOT: root, PATH: process.env.PATH ?? '' };
  const copy = join(root, 'copy');
  const ours: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    reset(base);
    rmSync(copy, { recursive: true, force: true });
    const migrator = timed([bin, 'migrator'], env);
    const cp = timed(['sh', '-c', `cp -a '${join(base, ORIGINAL)}' '${copy}' && sync -f '${copy}'`]);
    if (i === 0) continue; // warm-up
    ours.push(migrator);
    reference.push(cp);
  }
  rmSync(root, { recursive: true, force: true });
  const [a, b] = [median(ours), median(reference)];
  return [{ name: `migrate ${KEYS} keys, one migration (brkt migrator vs cp -a + sync -f)`, ours: fmtMs(a), reference: fmtMs(b), ratio: a / b }];
}
