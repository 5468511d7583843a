// Builds small OCI images from Debian's busybox-static (no network) and serves them from a real
// registry (Debian's docker-registry) on 127.0.0.1, so tests name images by reference as hosts do.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { makeTempDir, type TempDir } from './sandbox';

const BUSYBOX = '/bin/busybox';

export interface ImageBlob {
  digest: string;
  mediaType: string;
  data: Uint8Array;
}

export interface OciImage {
  manifest: ImageBlob;
  blobs: ImageBlob[];
}

const blob = (mediaType: string, data: Uint8Array): ImageBlob => ({
  mediaType,
  data,
  digest: `sha256:${createHash('sha256').update(data).digest('hex')}`,
});

/** Extra files of an image: path (no leading slash) -> content and mode. */
export type ImageFiles = Record<string, { content: string; mode?: number }>;

async function layerTar(files: ImageFiles): Promise<Uint8Array> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>(resolve => tar.on('end', () => resolve()));
  for (const dir of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'run', 'usr', 'usr/bin', 'usr/local', 'usr/local/bin', 'var']) {
    tar.entry({ name: dir, type: 'directory', mode: dir === 'tmp' ? 0o1777 : 0o755 });
  }
  tar.entry({ name: 'bin/busybox', mode: 0o755 }, readFileSync(BUSYBOX));
  const list = Bun.spawnSync([BUSYBOX, '--list']).stdout.toString().split('\n').filter(name => name && name !== 'busybox');
  for (const name of list) tar.entry({ name: `bin/${name}`, type: 'symlink', linkname: 'busybox' });
  for (const [name, file] of Object.entries(files)) tar.entry({ name, mode: file.mode ?? 0o644 }, file.content);
  tar.finalize();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/** An image whose default command is `argv`, with busybox's applets in /bin and `files` added. */
export async function buildImage(argv: string[], files: ImageFiles = {}): Promise<OciImage> {
  const layer = blob('application/vnd.oci.image.layer.v1.tar', await layerTar(files));
  const config = blob('application/vnd.oci.image.config.v1+json', new TextEncoder().encode(JSON.stringify({
    architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
    os: 'linux',
    config: { Cmd: argv, Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] },
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  })));
  const manifest = blob('application/vnd.oci.image.manifest.v1+json', new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: config.mediaType, digest: config.digest, size: config.data.length },
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.data.length }],
  })));
  return { manifest, blobs: [config, layer] };
}

/** A port the kernel just handed out (docker-registry cannot report the port it bound for :0). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface Registry extends AsyncDisposable {
  /** `127.0.0.1:PORT` */
  host: string;
  push(name: string, tag: string, image: OciImage): Promise<string>;
}

/** docker-registry on 127.0.0.1 with its storage in a temp dir; stopped (by pid) at scope end. */
export async function startRegistry(): Promise<Registry> {
  const dir: TempDir = makeTempDir('brkt-registry-');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = join(dir.root, 'config.yml');
    await Bun.write(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${dir.path('data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
    const proc = Bun.spawn(['docker-registry', 'serve', config], { stdout: 'ignore', stderr: 'pipe' });
    const base = `http://127.0.0.1:${port}`;
    const up = await waitFor(async () => (await fetch(`${base}/v2/`).then(r => r.ok, () => false)) || proc.exitCode !== null);
    if (up && proc.exitCode === null) {
      return {
        host: `127.0.0.1:${port}`,
        push: (name, tag, image) => pushImage(base, name, tag, image),
        async [Symbol.asyncDispose]() {
          proc.kill('SIGTERM');
          await proc.exited;
          await dir[Symbol.asyncDispose]();
        },
      };
    }
    proc.kill('SIGKILL');
    await proc.exited;
    if (attempt >= 3) throw new Error(`docker-registry did not start: ${await new Response(proc.stderr).text()}`);
  }
}

async function waitFor(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return true;
    await Bun.sleep(20);
  }
  return false;
}

/** The distribution API's monolithic upload, then the manifest; returns `HOST/NAME:TAG`'s digest. */
async function pushImage(base: string, name: string, tag: string, image: OciImage): Promise<string> {
  for (const item of image.blobs) {
    const start = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, base);
    location.searchParams.set('digest', item.digest);
    const put = await fetch(location, { method: 'PUT', body: item.data, headers: { 'content-type': 'application/octet-stream' } });
    if (put.status !== 201) throw new Error(`upload ${item.digest}: ${put.status} ${await put.text()}`);
  }
  const put = await fetch(`${base}/v2/${name}/manifests/${tag}`, { method: 'PUT', body: image.manifest.data, headers: { 'content-type': image.manifest.mediaType } });
  if (put.status !== 201) throw new Error(`manifest: ${put.status} ${await put.text()}`);
  return image.manifest.digest;
}

/** The admin image's sheltie, as upstream's admin container has it (nsenter into a host process). */
const SHELTIE = '#!/bin/sh\nexec nsenter -t "${SHELTIE_TARGET:-1}" -m -u -i -n -p -- "$@"\n';

/** A stand-in for upstream's admin container: busybox, an os-release, sheltie; it sleeps. */
export const adminImage = (version: string) => buildImage(['sleep', '1000000'], {
  'etc/os-release': { content: `NAME="brkt test admin"\nVERSION_ID=${version}\n` },
  'usr/bin/sheltie': { content: SHELTIE, mode: 0o755 },
});

// `bun test/helpers/oci-image.ts`: serves admin:v1 on 127.0.0.1 until interrupted (the README's tour).
if (import.meta.main) {
  const registry = await startRegistry();
  await registry.push('admin', 'v1', await adminImage('1'));
  console.log(`${registry.host}/admin:v1`);
  const stop = async () => {
    await registry[Symbol.asyncDispose]();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => {}, 1 << 30);
}
