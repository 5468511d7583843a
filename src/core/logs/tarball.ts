// The bundle archive: a gzip-compressed tar of the scratch directory (plus the files that glob
// requests matched) under one top directory, streamed file by file. Mirrors logdog's
// create_tarball.rs (tar-rs + flate2 level 6).
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { BundleIo, OpenedFile } from '../../platform/types';
import { BrktError, messageOf } from '../errors';
import { TOP_DIRECTORY, safeMemberName } from './member-path';

interface Member {
  name: string;
  /** A file's path; its size, mode and time come from the file opened when it is archived. */
  source?: string;
  mode: number;
  mtime: Date;
}

/** A file stored under `member` (relative to the top directory), read from `source` when packed. */
export interface ExternalFile {
  member: string;
  source: string;
}

/**
 * Writes `dir` and `external` as `<output>`: the top directory first, then every member in name
 * order (so each directory comes before its contents). Memory use is one file chunk plus
 * zlib's window. Returns the member names.
 *
 * brkt: upstream copies glob matches into its scratch directory first; here they are read from
 * where they are, each opened when its turn comes and never through a link (`BundleIo.openFile`):
 * one swapped for a link, or gone, since it was found is left out and reported to `onSkipped`.
 * A file is read up to the size it had when opened (logs grow); one that shrank meanwhile is
 * padded with zeros so the archive stays valid. Names must already be safe (`safeMemberName`).
 */
export async function writeTarGz(io: BundleIo, dir: string, output: string, now: Date, external: ExternalFile[] = [], onSkipped?: (member: string, reason: string) => void): Promise<string[]> {
  const members = new Map<string, Member>();
  members.set(TOP_DIRECTORY + '/', { name: TOP_DIRECTORY + '/', mode: 0o755, mtime: now });
  await collectMembers(io, dir, TOP_DIRECTORY, members);
  for (const file of external) {
    const name = safeMemberName(`${TOP_DIRECTORY}/${file.member}`);
    if (members.has(name)) continue; // a request's own output of that name wins
    const parts = name.split('/');
    // A request output named like one of the match's directories (`var`) keeps that name.
    if (parts.slice(1, -1).some((_, index) => members.has(parts.slice(0, index + 2).join('/')))) continue;
    for (let depth = 2; depth < parts.length; depth++) {
      const parent = parts.slice(0, depth).join('/') + '/';
      if (!members.has(parent)) members.set(parent, { name: parent, mode: 0o755, mtime: now });
    }
    members.set(name, { name, source: file.source, mode: 0o644, mtime: now });
  }
  const ordered = [...members.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let sink;
  try {
    sink = await io.openSink(output);
  } catch (error) {
    throw new BrktError('io', `Failed to create archive ${output}: ${messageOf(error)}`, { cause: error });
  }
  const pack = tar.pack();
  const gzip = createGzip({ level: 6 });
  pack.pipe(gzip);
  const drained = (async () => {
    for await (const chunk of gzip) await sink.write(chunk as Uint8Array);
  })();
  const written: string[] = [];
  try {
    for (const member of ordered) {
      const skipped = await addMember(io, pack, member);
      if (skipped === undefined) written.push(member.name);
      else onSkipped?.(member.name.slice(TOP_DIRECTORY.length + 1), skipped);
    }
    pack.finalize();
    await drained;
    await sink.close();
  } catch (error) {
    pack.destroy();
    gzip.destroy();
    await drained.catch(() => undefined);
    await sink.close().catch(() => undefined);
    await io.removeTree(output).catch(() => undefined);
    throw new BrktError('io', `Failed to write archive ${output}: ${messageOf(error)}`, { cause: error });
  }
  return written;
}

async function collectMembers(io: BundleIo, dir: string, prefix: string, members: Map<string, Member>) {
  for (const entry of (await io.readDir(dir)) ?? []) {
    const path = `${dir}/${entry.name}`;
    const name = safeMemberName(`${prefix}/${entry.name}`);
    if (entry.kind === 'directory') {
      const info = await io.stat(path);
      if (!info) continue;
      members.set(name + '/', { name: name + '/', mode: info.mode, mtime: new Date(info.mtimeMs) });
      await collectMembers(io, path, name, members);
    } else if (entry.kind === 'file') {
      members.set(name, { name, source: path, mode: 0o644, mtime: new Date(0) });
    }
  }
}

type EntryStream = NodeJS.WritableStream & { destroy(error?: Error): void };

/** Adds one member; for a file that cannot be opened now, adds nothing and returns why. */
async function addMember(io: BundleIo, pack: tar.Pack, member: Member): Promise<string | undefined> {
  const header = { name: member.name, mode: member.mode, mtime: member.mtime, uid: 0, gid: 0, uname: 'root', gname: 'root' };
  if (!member.source) {
    await new Promise<void>((resolve, reject) => pack.entry({ ...header, size: 0, type: 'directory' }, error => (error ? reject(error) : resolve())));
    return undefined;
  }
  let file: OpenedFile;
  try {
    file = await io.openFile(member.source);
  } catch (error) {
    return messageOf(error);
  }
  try {
    const { size, mode, mtimeMs } = file.info;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      const entry = pack.entry({ ...header, size, mode: mode & 0o777, mtime: new Date(mtimeMs), type: 'file' }, done) as unknown as EntryStream;
      const write = async (chunk: Uint8Array) => {
        if (!entry.write(chunk)) await new Promise<void>(drain => entry.once('drain', () => drain()));
      };
      (async () => {
        let written = 0;
        for await (const chunk of file.read(size)) {
          await write(chunk);
          written += chunk.length;
        }
        for (let left = size - written; left > 0; left -= 65536) await write(new Uint8Array(Math.min(left, 65536)));
        entry.end();
      })().catch(error => {
        entry.destroy(error);
        reject(error);
      });
    });
  } finally {
    await file.close();
  }
  return undefined;
}
