// Image apply without the GPT steps: a release's lz4 root image fetched from a signed repository
// on loopback, verified (length, SHA-256), decoded and written with fsync, beside
// `curl | tee >(sha512sum) | lz4 -dc | dd conv=fsync` on the same data, and decode alone beside
// `lz4 -dc`. Each measured run is a fresh process (bun running the core code) so peak RSS is its own.
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, ftruncateSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMiB, fmtMs, median, type Row } from './measure';

const SIZES_MIB = (process.env.BRKT_BENCH_IMAGE_MIB ?? '64,512').split(',').map(Number);
const RUNS = Number(process.env.BRKT_BENCH_RUNS ?? 3);
const BUN = process.execPath;
const SELF = import.meta.path;

/** An ext4-like image: runs of zeros, text and noise, compressing to roughly 40 %. */
function writeImage(path: string, mib: number) {
  const fd = openSync(path, 'w');
  const chunk = new Uint8Array(1 << 20);
  let x = 12345;
  const text = new TextEncoder().encode('usr/lib/systemd/system/containerd.service ExecStart=/usr/bin/containerd ');
  for (let m = 0; m < mib; m++) {
    for (let i = 0; i < chunk.length; i += 4096) {
      const kind = (Math.imul(m * 256 + (i >> 12), 2654435761) >>> 0) % 10;
      for (let j = i; j < i + 4096; j++) {
        if (kind < 3) chunk[j] = 0;
        else if (kind < 6) chunk[j] = text[j % text.length]!;
        else {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          chunk[j] = kind < 8 ? x >>> 24 : (x >>> 29) + 0x30;
        }
      }
    }
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

interface Sample {
  ms: number;
  rss: number;
}

/** Wall time, and peak RSS from GNU time (the largest process of a pipeline), in bytes. */
async function run(cmd: string[], env: Record<string, string> = {}): Promise<Sample> {
  const start = performance.now();
  const proc = Bun.spawn({ cmd: ['/usr/bin/time', '-f', '%M', ...cmd], env: { ...process.env, ...env }, stdout: 'ignore', stderr: 'pipe' });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`${cmd.join(' ')} failed (${code}): ${stderr}`);
  return { ms, rss: Number(stderr.trim().split('\n').at(-1)) * 1024 };
}

async function measure(cmd: string[], env?: Record<string, string>): Promise<Sample> {
  await run(cmd, env); // warm the page cache and the binary
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await run(cmd, env));
  return { ms: median(samples.map(s => s.ms)), rss: Math.max(...samples.map(s => s.rss)) };
}

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
    if (!existsSync(image)) writeImage(image, mib);
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
    const ours = await measure([BUN, SELF, '--apply', host, join(repo.layout.metadataDir, '1.root.json'), served.metadataUrl, served.targetsUrl, name, partition, String((mib + 1) << 20)]);
    const url = `${served.targetsUrl}${sha}.${name}`;
    const pipeline = `curl -s ${url} | tee >(sha512sum >/dev/null) | lz4 -dc | dd of=${partition} bs=4M conv=fsync,notrunc status=none`;
    const reference = await measure(['bash', '-c', pipeline]);
    rows.push({ name: `apply ${mib} MiB root image (verify+decode+write+fsync)`, ours: fmtMs(ours.ms), reference: fmtMs(reference.ms), ratio: ours.ms / reference.ms, goal: '<= 0.9x' });
    rows.push({ name: `apply ${mib} MiB peak RSS`, ours: fmtMiB(ours.rss), reference: fmtMiB(reference.rss), ratio: ours.rss / Math.max(1, reference.rss), goal: '<= 200 MiB' });
    const decode = await measure([BUN, SELF, '--decode', compressed]);
    const lz4 = await measure(['bash', '-c', `lz4 -dc ${compressed} > /dev/null`]);
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
