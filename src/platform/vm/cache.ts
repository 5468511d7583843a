// brkt's build cache ($XDG_CACHE_HOME/brkt or ~/.cache/brkt): downloaded packages, the Debian
// userland and boot stages, each under a name derived from its content or its inputs, written
// to a temporary name first so an interrupted build never leaves a half entry.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(env: Record<string, string | undefined> = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'brkt');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const sha256Text = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

export const exists = async (path: string) => (await stat(path).catch(() => undefined)) !== undefined;

/**
 * `dir/name`, built by `build(tempPath)` when missing. The builder writes `tempPath` (a file or
 * a directory), which is renamed into place once complete.
 */
export async function cached(dir: string, name: string, build: (tempPath: string) => Promise<void>): Promise<{ path: string; hit: boolean }> {
  const path = join(dir, name);
  if (await exists(path)) return { path, hit: true };
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  await rm(temp, { recursive: true, force: true });
  try {
    await build(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return { path, hit: false };
}
