// Real signed TUF repositories for tests: built by brkt's own writer (or given as files),
// served by Bun.serve on 127.0.0.1 with port 0 or read through file:// URLs, and a host root
// that trusts them.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makePlatform } from '../../src/platform';
import type { Platform } from '../../src/platform/types';
import { RepoWriter, repoLayout, type Expirations, type RepoLayout } from '../../src/core/repo/repository';
import { addRelease } from '../../src/core/repo/release';
import { parseVersion } from '../../src/core/updates/version';
import type { KeyType } from '../../src/core/repo/keys';

export const DAY_MS = 86_400_000;
export const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);
export const expiringIn = (days: number): Expirations => ({ root: inDays(days), targets: inDays(days), snapshot: inDays(days), timestamp: inDays(days) });

/** A new signed repository in `dir` (keys in dir/keys), everything valid for a year. */
export async function makeTufRepo(dir: string, options: { keyType?: KeyType; expires?: Expirations } = {}): Promise<RepoWriter> {
  const files = makePlatform({ root: '/', env: {} }).files;
  return RepoWriter.create(files, repoLayout(dir), { keyType: options.keyType, expires: options.expires ?? expiringIn(365) });
}

async function* bytes(data: Uint8Array) {
  yield data;
}

/** Publishes a release whose images are the given bytes (compressed by the writer). */
export async function publishRelease(repo: RepoWriter, version: string, images: { boot: Uint8Array; root: Uint8Array; hash: Uint8Array }, extra: { variant?: string; arch?: string } = {}) {
  return addRelease(repo, {
    variant: extra.variant ?? 'aws-dev',
    arch: extra.arch ?? 'x86_64',
    version: parseVersion(version),
    buildId: 'abcdef12',
    images: { boot: bytes(images.boot), root: bytes(images.root), hash: bytes(images.hash) },
  });
}

export interface ServedRepo extends Disposable {
  metadataUrl: string;
  targetsUrl: string;
  /** Paths requested, with their query, in order. */
  requests: string[];
}

/**
 * Serves `layout` over HTTP: /metadata/* and /targets/*. `override` may answer a path itself
 * (an attacker's file, an error); returning undefined serves the file from disk.
 */
export function serveRepo(layout: RepoLayout, override?: (path: string) => Response | Promise<Response> | undefined): ServedRepo {
  const requests: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const url = new URL(request.url);
      requests.push(url.pathname + url.search);
      const custom = override?.(url.pathname);
      if (custom) return custom;
      const match = /^\/(metadata|targets)\/([^/]+)$/.exec(url.pathname);
      if (!match) return new Response('not found', { status: 404 });
      const file = Bun.file(join(match[1] === 'metadata' ? layout.metadataDir : layout.targetsDir, decodeURIComponent(match[2]!)));
      if (!(await file.exists())) return new Response('not found', { status: 404 });
      return new Response(file, { headers: { 'accept-ranges': 'bytes' } });
    },
  });
  const base = `http://127.0.0.1:${server.port}`;
  return { metadataUrl: `${base}/metadata/`, targetsUrl: `${base}/targets/`, requests, [Symbol.dispose]: () => void server.stop(true) };
}

/** file:// base URLs of a repository directory. */
export const fileUrls = (layout: RepoLayout) => ({
  metadataUrl: pathToFileURL(layout.metadataDir).href + '/',
  targetsUrl: pathToFileURL(layout.targetsDir).href + '/',
});

/** A host root at `root` that trusts `rootJson` (installed as usr/share/updog/root.json). */
export async function trustingHost(root: string, rootJson: Uint8Array, now?: () => Date): Promise<Platform> {
  const platform = makePlatform({ root, env: {} });
  await platform.files.writeAtomic(platform.paths.updogRoot, rootJson);
  return now ? { ...platform, now } : platform;
}
