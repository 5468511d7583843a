// Image apply without the GPT steps: a release's lz4 root image fetched from a signed repository
// on loopback, verified (length, SHA-256), decoded and written with fsync, beside
// `curl | tee >(sha512sum) | lz4 -dc | dd conv=fsync` on the same data, and decode alone beside
// `lz4 -dc`. Each measured run is a fresh process (bun running the core code) so peak RSS is its own.
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, ftruncateSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMiB, fmtMs, type Row } from './measure';
import { measureTimed, writeSyntheticImage } from './images';

const SIZES_MIB = (process.env.BRKT_BENCH_IMAGE_MIB ?? '64,512').split(',').map(Number);
const BUN = process.execPath;
const SELF = import.meta.path;



export async function benchLz4(): Promise<Row[]> {
  for (const tool of ['lz4', 'curl', 'dd', 'sha512sum', 'bash', '/usr/bin/time']) {
    if (!Bun.which(tool)) return [{ name: `skipped: ${tool} is not installed`, ours: '-', reference: '-', ratio: 0 }];
  }
  const rows: Row[] = [];
  // Its own scratch space: the images are large and other benchmarks clear the shared one.
  const scratch = mkdtempSync(join(tmpdir(), 'brkt-bench-lz4-'));
  try {
    for (const mib of SIZES_MIB) rows.push(...(await benchSize(scratch, mib)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return rows;
}

async function benchSize(scratch: string, mib: number): Promise<Row[]> {
  const { makeTufRepo, publishRelease, serveRepo } = await import('../test/helpers/tuf-repo');
  const rows: Row[] = [];
  {
    const dir = join(scratch, `lz4-${mib}`);
    mkdirSync(dir, { recursive: true });
    const image = join(dir, 'root.ext4');
    if (!existsSync(image)) writeSyntheticImage(image, mib);
    const repoDir = join(dir, 'repo');
    let repo;
    if (!existsSync(join(repoDir, 'metadata'))) {
      repo = await makeTufRepo(repoDir);
      const small = new Uint8Array(4096);
      await publishRelease(repo, '1.1.0', { boot: small, hash: small, root: new Uint8Array(await Bun.file(image).arrayBuffer()) });
    } else {
      const { RepoWriter, repoLayout } = await import('../src/core/repo/repository');
      const { makePlatform } = await import('../src/platform');
      repo = await RepoWriter.open(makePlatform({ root: '/', env: {} }).files, repoLayout(repoDir));
    }
    const name = (await repo.readManifest()).updates[0]!.images.root;
    const sha = repo.targets.signed.targets[name]!.hashes.sha256;
    const compressed = join(repo.layout.targetsDir, `${sha}.${name}`);
    using served = serveRepo(repo.layout);
    const partition = join(dir, 'partition');
    const fd = openSync(partition, 'w');
    ftruncateSync(fd, (mib + 1) << 20);
    closeSync(fd);
    const host = join(dir, 'host');
    const ours = await measureTimed([BUN, SELF, '--apply', host, join(repo.layout.metadataDir, '1.root.json'), served.metadataUrl, served.targetsUrl, name, partition, String((mib + 1) << 20)]);
    const url = `${served.targetsUrl}${sha}.${name}`;
    const pipeline = `curl -s ${url} | tee >(sha512sum >/dev/null) | lz4 -dc | dd of=${partition} bs=4M conv=fsync,notrunc status=none`;
    const reference = await measureTimed(['bash', '-c', pipeline]);
    rows.push({ name: `apply ${mib} MiB root image (verify+decode+write+fsync)`, ours: fmtMs(ours.ms), reference: fmtMs(reference.ms), ratio: ours.ms / reference.ms, goal: '<= 0.9x' });
    rows.push({ name: `apply ${mib} MiB peak RSS`, ours: fmtMiB(ours.rss), reference: fmtMiB(reference.rss), ratio: ours.rss / Math.max(1, reference.rss), goal: '<= 200 MiB' });
    const decode = await measureTimed([BUN, SELF, '--decode', compressed]);
    const lz4 = await measureTimed(['bash', '-c', `lz4 -dc ${compressed} > /dev/null`]);
    rows.push({ name: `decode ${mib} MiB (ours vs lz4 -dc)`, ours: fmtMs(decode.ms), reference: fmtMs(lz4.ms), ratio: decode.ms / lz4.ms });
  }
  return rows;
}

/** Worker modes: the measured process. */
async function worker(args: string[]) {
  const { makePlatform } = await import('../src/platform');
  if (args[0] === '--apply') {
    const [, host, rootJson, metadataUrl, targetsUrl, name, partition, size] = args as [string, string, string, string, string, string, string, string];
    const { UpdateRepository } = await import('../src/core/updates/repository');
    const { writeImage } = await import('../src/core/updates/image-stream');
    const platform = makePlatform({ root: host, env: {} });
    await platform.files.writeAtomic(platform.paths.updogRoot, await Bun.file(rootJson).bytes());
    const repository = await UpdateRepository.load(platform, { metadataBaseUrl: metadataUrl, targetsBaseUrl: targetsUrl });
    const device = await makePlatform({ root: '/', env: {} }).files.open(partition, 'r+');
    await writeImage(repository, name, device, { offset: 0, maxBytes: Number(size), partition });
    await device.close();
  } else if (args[0] === '--decode') {
    const { decodeLz4Frames } = await import('../src/core/lz4/frame-decoder');
    const { pathToFileURL } = await import('node:url');
    const fetcher = makePlatform({ root: '/', env: {} }).fetcher;
    for await (const _ of decodeLz4Frames(fetcher.stream(pathToFileURL(args[1]!).href), args[1]!));
  }
}

if (import.meta.main) await worker(process.argv.slice(2));
