// `glob PATTERN` requests: expansion under the root, directory walks, and the symlink rule.
// Mirrors logdog's handle_glob_request (Rust `glob` crate patterns, `walkdir` for directories).
import { join } from 'node:path';
import type { BundleIo, DirEntry } from '../../platform/types';
import { RequestError } from './request';

type Segment = { kind: 'literal'; name: string } | { kind: 'wild'; regex: RegExp } | { kind: 'recursive' };

export interface GlobFile {
  /** Where to read it on this machine. */
  source: string;
  /** Its path below the archive's top directory: the path relative to the root. */
  member: string;
}

export interface GlobResult {
  files: GlobFile[];
  /** Links that were not followed, as `path -> target` (brkt: reported, not copied). */
  skipped: string[];
  /** Paths whose names are not UTF-8 (shown with U+FFFD): no archive member can name them. */
  invalidNames: string[];
}

const WILDCARD = /[*?[]/;

/**
 * Compiles a pattern into path segments. As the glob crate: `*` and `?` stay within one segment,
 * `[...]`/`[!...]` are character classes, `**` must be a whole segment and matches any depth
 * (zero included), and a trailing `/` matches directories only.
 */
export function compileGlob(pattern: string): { segments: Segment[]; directoriesOnly: boolean } {
  const parts = pattern.split('/').filter(part => part !== '' && part !== '.');
  const segments = parts.map((part): Segment => {
    if (part === '..') throw new RequestError(`Invalid glob pattern '${pattern}': '..' is not allowed`);
    if (part === '**') return { kind: 'recursive' };
    if (part.includes('**')) throw new RequestError(`Invalid glob pattern '${pattern}': recursive wildcards must form a single path component`);
    if (!WILDCARD.test(part)) return { kind: 'literal', name: part };
    return { kind: 'wild', regex: segmentRegex(part, pattern) };
  });
  return { segments, directoriesOnly: pattern.endsWith('/') };
}

function segmentRegex(part: string, pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < part.length; i++) {
    const char = part[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      // The glob crate needs at least one character inside, so `[]]` is a class holding `]`.
      let j = i + 1;
      const negated = part[j] === '!';
      if (negated) j++;
      const start = j;
      j++;
      while (j < part.length && part[j] !== ']') j++;
      if (j >= part.length) throw new RequestError(`Invalid glob pattern '${pattern}': invalid range pattern`);
      const body = [...part.slice(start, j)].map(c => (c === '-' ? '-' : escapeClass(c))).join('');
      source += `[${negated ? '^' : ''}${body}]`;
      i = j;
    } else source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

const escapeClass = (char: string) => char.replace(/[\\\]^[]/g, '\\$&');

/** True when `path` is `base` or lies below it. */
export const isWithin = (path: string, base: string) => path === base || path.startsWith(base === '/' ? '/' : base + '/');

/**
 * Expands `pattern` (absolute, or relative to the root) under `root`. A matched directory is
 * walked and every regular file in it taken. Links are followed only when their target stays
 * inside the pattern's fixed leading directory (brkt: upstream follows every link).
 */
export async function expandGlob(io: BundleIo, root: string, pattern: string): Promise<GlobResult> {
  const { segments, directoriesOnly } = compileGlob(pattern);
  const fixed = segments.findIndex(segment => segment.kind !== 'literal');
  const baseRel = (fixed < 0 ? segments.slice(0, -1) : segments.slice(0, fixed)).map(segment => (segment as { name: string }).name);
  const realRoot = (await io.realpath(root)) ?? root;
  const realBase = await io.realpath(join(root, ...baseRel));
  const result: GlobResult = { files: [], skipped: [], invalidNames: [] };
  const named = (rel: string, entry: DirEntry) => {
    if (!entry.invalidName) return true;
    result.invalidNames.push(`/${rel === '' ? entry.name : `${rel}/${entry.name}`}`);
    return false;
  };
  if (realBase === undefined) return result; // nothing there: no matches, which is no error
  if (!isWithin(realBase, realRoot)) {
    result.skipped.push(`/${baseRel.join('/')} -> ${realBase}`);
    return result;
  }

  let candidates: string[] = [''];
  for (const segment of segments) {
    const next: string[] = [];
    for (const rel of candidates) {
      if (segment.kind === 'literal') next.push(rel === '' ? segment.name : `${rel}/${segment.name}`);
      else if (segment.kind === 'recursive') next.push(rel, ...(await descendantDirs(io, root, rel, named)));
      else {
        for (const entry of (await io.readDir(join(root, rel)).catch(() => undefined)) ?? []) {
          if (segment.regex.test(entry.name) && named(rel, entry)) next.push(rel === '' ? entry.name : `${rel}/${entry.name}`);
        }
      }
    }
    candidates = next;
  }

  const seen = new Set<string>();
  const take = (rel: string, source: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    result.files.push({ source, member: rel });
  };
  for (const rel of candidates) {
    const path = join(root, rel);
    const info = await io.stat(path).catch(() => undefined);
    if (!info || (directoriesOnly && !info.isDirectory)) continue; // unreadable matches are skipped, as upstream
    const real = await io.realpath(path).catch(() => undefined);
    if (real === undefined) continue;
    if (!isWithin(real, realBase)) {
      result.skipped.push(`/${rel} -> ${real}`);
      continue;
    }
    // The real path is what gets archived, opened without following links (tarball.ts).
    if (info.isFile) take(rel, real);
    else if (info.isDirectory) await walkFiles(io, root, rel, realBase, take, result.skipped, named);
  }
  return result;
}

/** Every directory below `rel` (links to directories are not entered: no loops). */
type Named = (rel: string, entry: DirEntry) => boolean;

async function descendantDirs(io: BundleIo, root: string, rel: string, named: Named): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await io.readDir(join(root, rel)).catch(() => undefined)) ?? []) {
    if (entry.kind !== 'directory' || !named(rel, entry)) continue;
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    found.push(child, ...(await descendantDirs(io, root, child, named)));
  }
  return found;
}

async function walkFiles(io: BundleIo, root: string, rel: string, realBase: string, take: (rel: string, source: string) => void, skipped: string[], named: Named) {
  for (const entry of (await io.readDir(join(root, rel)).catch(() => undefined)) ?? []) {
    if ((entry.kind === 'file' || entry.kind === 'directory' || entry.kind === 'symlink') && !named(rel, entry)) continue;
    const child = `${rel}/${entry.name}`;
    const path = join(root, child);
    if (entry.kind === 'file') take(child, path);
    else if (entry.kind === 'directory') await walkFiles(io, root, child, realBase, take, skipped, named);
    else if (entry.kind === 'symlink') {
      const real = await io.realpath(path).catch(() => undefined);
      if (real === undefined) continue; // dangling: nothing to copy
      if (!isWithin(real, realBase)) {
        skipped.push(`/${child} -> ${real}`);
        continue;
      }
      // A link to a file inside is stored as that file's contents; a link to a directory
      // inside is not entered (its files are reached by their own path).
      if ((await io.stat(path).catch(() => undefined))?.isFile) take(child, real);
    }
  }
}
