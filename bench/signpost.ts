// Signpost on a 4 GiB sparse OS disk: a priority flip (`signpost rollback-to-inactive`, which
// rewrites both GPT copies with fsync) beside `cgpt add -P` flipping the same partition, and
// `signpost status` beside `cgpt show -P`.
import { closeSync, mkdirSync, openSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BRKT, SCRATCH } from './setup';
import { fmtMiB, fmtMs, measureCommand, type Row } from './measure';
import { RootedFiles } from '../src/platform/files';
import { osDiskPartitions, writeOsDisk } from '../src/core/signpost/os-disk-layout';

const GiB = 1024 ** 3;

/** Upstream-sized partitions on a 4 GiB image: ~1.9 GiB per set, the rest PRIVATE and free space. */
async function fourGiBImage(path: string) {
  closeSync(openSync(path, 'w'));
  const parts = osDiskPartitions({ biosBoot: 4, efi: 5, boot: 40, root: 920, hash: 10, reserved: 1000, private: 20 }, 2);
  const disk = await new RootedFiles('/').open(path, 'r+');
  try {
    await writeOsDisk(disk, path, parts, { sizeBytes: 4 * GiB });
  } finally {
    await disk.close();
  }
}

export async function benchSignpost(): Promise<Row[]> {
  const bin = process.env.BRKT_BIN ?? BRKT;
  const dir = join(SCRATCH, `signpost-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const ours = join(dir, 'ours.img');
  const theirs = join(dir, 'cgpt.img');
  await fourGiBImage(ours);
  await fourGiBImage(theirs);
  const env = { BRKT_ROOT: dir, BRKT_DISK: ours, PATH: process.env.PATH ?? '' };
  // Both sets bootable, so rollback-to-inactive is allowed on every run.
  const setup = [
    ['cgpt', 'add', '-i', '3', '-P', '1', '-T', '0', '-S', '1', ours],
    ['cgpt', 'add', '-i', '8', '-P', '1', '-T', '0', '-S', '1', ours],
  ];
  for (const cmd of setup) {
    const result = Bun.spawnSync({ cmd, stderr: 'pipe' });
    if (result.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed: ${result.stderr.toString()}`);
  }
  // Started by its upstream name, as scripts and updog's callers do.
  const signpost = join(dir, 'signpost');
  symlinkSync(bin, signpost);
  const flip = measureCommand([signpost, 'rollback-to-inactive'], { env });
  const cgptFlip = measureCommand(['cgpt', 'add', '-i', '8', '-P', '2', theirs]);
  const status = measureCommand([signpost, 'status'], { env });
  const cgptShow = measureCommand(['cgpt', 'show', '-i', '8', '-P', theirs]);
  return [
    { name: 'flip on 4 GiB image (signpost rollback-to-inactive vs cgpt add -P)', ours: fmtMs(flip.ms), reference: fmtMs(cgptFlip.ms), ratio: flip.ms / cgptFlip.ms },
    { name: 'flip peak RSS', ours: fmtMiB(flip.maxRssBytes), reference: fmtMiB(cgptFlip.maxRssBytes), ratio: flip.maxRssBytes / cgptFlip.maxRssBytes },
    { name: 'status (signpost status vs cgpt show -P)', ours: fmtMs(status.ms), reference: fmtMs(cgptShow.ms), ratio: status.ms / cgptShow.ms },
  ];
}

