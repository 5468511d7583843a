// A whole update through the compiled binary: `updog update-image --now` in a sandbox whose disk
// has room for the image (metadata, manifest, migrations, GPT writes, then the lz4 root image
// verified, decoded, written and fsynced, plus boot and hash), beside
// `curl -s URL | tee >(sha512sum) | lz4 -dc | dd of=PART conv=fsync` on the same root image from
// the same loopback server, in the same run. Peak RSS from GNU time for both.
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMiB, fmtMs, type Row } from './measure';
import { measureTimed, writeSyntheticImage } from './images';
import { BRKT } from './setup';

const SIZES_MIB = (process.env.BRKT_BENCH_IMAGE_MIB ?? '64,512').split(',').map(Number);
/** The binary to measure; BRKT_BIN lets a build other than dist/brkt be measured. */
const BIN = process.env.BRKT_BIN ?? BRKT;
const MiB = 1 << 20;



export async function benchUpdate(): Promise<Row[]> {
  for (const tool of ['lz4', 'curl', 'dd', 'sha512sum', 'bash', '/usr/bin/time']) {
    if (!Bun.which(tool)) return [{ name: `skipped: ${tool} is not installed`, ours: '-', reference: '-', ratio: 0 }];
  }
  const scratch = mkdtempSync(join(tmpdir(), 'brkt-bench-update-'));
  const rows: Row[] = [];
  try {
    for (const mib of SIZES_MIB) rows.push(...(await benchSize(scratch, mib)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return rows;
}

async function* fileChunks(path: string) {
  for await (const chunk of Bun.file(path).stream()) yield chunk;
}

async function benchSize(scratch: string, mib: number): Promise<Row[]> {
  const { makeTufRepo, serveRepo } = await import('../test/helpers/tuf-repo');
  const { addMigrations, addRelease } = await import('../src/core/repo/release');
  const { osReleaseFor, buildIdOf } = await import('../src/core/sandbox/init');
  const { encodeSandboxRoot } = await import('../src/core/sandbox/root-image');
  const { osDiskPartitions, SANDBOX_SIZES, writeOsDisk, osDiskBytes } = await import('../src/core/signpost/os-disk-layout');
  const { findSets, imagePartitionPath } = await import('../src/core/signpost/sets');
  const { partitionRange } = await import('../src/core/signpost/state');
  const { parseVersion } = await import('../src/core/updates/version');
  const { makePlatform } = await import('../src/platform');

  const dir = join(scratch, `update-${mib}`);
  mkdirSync(dir, { recursive: true });
  const image = join(dir, 'root.ext4');
  writeSyntheticImage(image, mib, encodeSandboxRoot(osReleaseFor('1.2.0', 'aws-dev')));

  // The sandbox: dev init by the binary, then a disk whose root partitions hold the image.
  const root = join(dir, 'sandbox');
  const init = Bun.spawnSync({ cmd: [BIN, 'dev', 'init', root] });
  if (init.exitCode !== 0) throw new Error(`brkt dev init failed: ${init.stderr.toString()}`);
  const platform = makePlatform({ root, env: {} });
  const parts = osDiskPartitions({ ...SANDBOX_SIZES, root: mib + 8 });
  const diskPath = platform.paths.disk;
  rmSync(diskPath);
  const fd = openSync(diskPath, 'w');
  ftruncateSync(fd, osDiskBytes(parts));
  closeSync(fd);
  const disk = await platform.files.open(diskPath, 'r+');
  const table = await writeOsDisk(disk, diskPath, parts);
  const sets = findSets(table, number => imagePartitionPath(diskPath, number));
  await disk.write(partitionRange({ table }, sets.A.root).offset, encodeSandboxRoot(osReleaseFor('1.0.0', 'aws-dev')));
  await disk.close();

  const repo = await makeTufRepo(join(dir, 'repo'));
  const small = async function* () {
    yield new Uint8Array(64 << 10);
  };
  const names = await addRelease(repo, { variant: 'aws-dev', arch: platform.arch, version: parseVersion('1.2.0'), buildId: buildIdOf('1.2.0', 'aws-dev'), images: { root: fileChunks(image), boot: small(), hash: small() } });
  await addMigrations(repo, parseVersion('1.0.0'), parseVersion('1.2.0'), []);
  writeFileSync(platform.paths.updogRoot, await repo.initialRoot());
  using served = serveRepo(repo.layout);
  writeFileSync(platform.paths.updogToml, `metadata_base_url = "${served.metadataUrl}"\ntargets_base_url = "${served.targetsUrl}"\nseed = 1\nversion_lock = "latest"\nignore_waves = false\n`);

  const ours = await measureTimed([BIN, '--root', root, 'updog', 'update-image', '--now']);
  const sha = repo.targets.signed.targets[names.root]!.hashes.sha256;
  const partition = join(dir, 'partition');
  const part = openSync(partition, 'w');
  ftruncateSync(part, (mib + 8) * MiB);
  closeSync(part);
  const pipeline = `curl -s ${served.targetsUrl}${sha}.${names.root} | tee >(sha512sum >/dev/null) | lz4 -dc | dd of=${partition} bs=4M conv=fsync,notrunc status=none`;
  const reference = await measureTimed(['bash', '-c', pipeline]);
  rmSync(dir, { recursive: true, force: true });
  return [
    { name: `updog update-image, ${mib} MiB root image (brkt binary)`, ours: fmtMs(ours.ms), reference: fmtMs(reference.ms), ratio: ours.ms / reference.ms, goal: '<= 0.9x' },
    { name: `updog update-image, ${mib} MiB peak RSS`, ours: fmtMiB(ours.rss), reference: fmtMiB(reference.rss), ratio: ours.rss / Math.max(1, reference.rss), goal: '<= 200 MiB' },
  ];
}

if (import.meta.main) {
  const { printRows } = await import('./measure');
  printRows('update apply', await benchUpdate());
}
