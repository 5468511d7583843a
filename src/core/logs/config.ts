// Where the request lines come from: logdog's request directory (usr/share/logdog.d, v1.17+),
// else brkt's built-in list; then the admin's drop-ins in etc/logdog.d. Files sorted by name.
import type { Platform } from '../../platform/types';
import { BrktError, messageOf } from '../errors';
import { defaultRequests } from './defaults';
import { requestLines } from './request';

export interface RequestSet {
  lines: string[];
  /** The request files read, in order (logdog prints `Checking: PATH` for each). */
  files: string[];
}

/**
 * Upstream reads every regular file directly inside its directory and fails when the directory
 * cannot be read. brkt keeps that for an existing directory, uses its built-in list when there
 * is none, and appends `etc/logdog.d` so a host can add requests without replacing the list.
 */
export async function loadRequests(platform: Platform, onFile: (path: string) => void = () => {}): Promise<RequestSet> {
  const shipped = await readRequestDir(platform, platform.paths.logdogRequests, onFile);
  const dropIns = await readRequestDir(platform, platform.paths.logdogConfig, onFile);
  const base = shipped ?? { lines: requestLines(defaultRequests(platform).join('\n')), files: [] };
  return { lines: [...base.lines, ...(dropIns?.lines ?? [])], files: [...base.files, ...(dropIns?.files ?? [])] };
}

async function readRequestDir(platform: Platform, dir: string, onFile: (path: string) => void): Promise<RequestSet | undefined> {
  const io = platform.bundleIo;
  let entries;
  try {
    entries = await io.readDir(dir);
  } catch (error) {
    throw new BrktError('io', `Unable to walk directory '${dir}': ${messageOf(error)}`, { cause: error });
  }
  if (entries === undefined) return undefined;
  const set: RequestSet = { lines: [], files: [] };
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.kind !== 'file' && !(entry.kind === 'symlink' && (await io.stat(path))?.isFile)) continue;
    onFile(path);
    let text;
    try {
      text = await platform.files.readText(platform.path(path));
    } catch (error) {
      throw new BrktError('io', `Failed to read ${path}: ${messageOf(error)}`, { cause: error });
    }
    set.lines.push(...requestLines(text));
    set.files.push(path);
  }
  return set;
}
