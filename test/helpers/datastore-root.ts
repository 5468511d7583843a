// A temp root running some version, with a 1.0.0 datastore laid out as storewolf creates it
// (the versioned directory has a fixed name so tests can name it), for migrator tests.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeTempDir, type TempDir } from './sandbox';
import { makePlatform } from '../../src/platform';
import { Datastore } from '../../src/core/datastore/store';
import { osReleaseFor } from '../../src/core/sandbox/init';

export const DATASTORE_BASE = 'var/lib/bottlerocket/datastore';
export const MIGRATIONS_DIR = 'var/lib/bottlerocket-migrations';
export const FIRST_DATASTORE = 'v1.0.0_AAAAAAAAAAAAAAAA';

export function makeDatastoreRoot(prefix: string, running: string): { dir: TempDir; store: Datastore } {
  const dir = makeTempDir(prefix);
  const base = DATASTORE_BASE;
  mkdirSync(dir.path('etc'), { recursive: true });
  writeFileSync(dir.path('etc/os-release'), osReleaseFor(running, 'aws-dev'));
  mkdirSync(dir.path(`${base}/${FIRST_DATASTORE}/live`), { recursive: true });
  symlinkSync(FIRST_DATASTORE, dir.path(`${base}/v1.0.0`));
  symlinkSync('v1.0.0', dir.path(`${base}/v1.0`));
  symlinkSync('v1.0', dir.path(`${base}/v1`));
  symlinkSync('v1', dir.path(`${base}/current`));
  const store = new Datastore(makePlatform({ root: dir.root, env: {} }).files, dir.path(`${base}/current`));
  return { dir, store };
}
