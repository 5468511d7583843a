// The bundle archive: a gzip-compressed tar of the scratch directory under one top directory,
// streamed file by file. Mirrors logdog's create_tarball.rs (tar-rs + flate2 level 6).
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { BundleIo } from '../../platform/types';
import { BrktError, messageOf } from '../errors';
import { TOP_DIRECTORY, safeMemberName } from './member-path';

interface Member {
  name: string;
  source?: string;
  size: number;
  mode: number;
  mtime: Date;
}

/**
 * Writes `dir` as `<output>`: the top directory first, then a depth-first walk in name order
 * (directories before their contents). Only regular files and directories are stored; the
 * scratch directory holds nothing else. Memory use is one file chunk plus zlib's window.
 * Returns the member names.
 */
export async function writeTarGz(io: BundleIo, dir: string, output: string, now: Date): Promise<string[]> {
  const members: Member[] = [{ name: TOP_DIRECTORY + '/', size: 0, mode: 0o755, mtime: now }];
  await collectMembers(io, dir, TOP_DIRECTORY, members);

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
  try {
    for (const member of members) await addMember(io, pack, member);
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
  return members.map(member => member.name);
}

async function collectMembers(io: BundleIo, dir: string, prefix: string, members: Member[]) {
  for (const entry of (await io.readDir(dir)) ?? []) {
    const path = `${dir}/${entry.name}`;
    const name = safeMemberName(`${prefix}/${entry.name}`);
    const info = await io.stat(path);
    if (!info) continue;
    if (entry.kind === 'directory') {
      members.push({ name: name + '/', size: 0, mode: info.mode, mtime: new Date(info.mtimeMs) });
      await collectMembers(io, path, name, members);
    } else if (entry.kind === 'file') {
      members.push({ name, source: path, size: info.size, mode: info.mode, mtime: new Date(info.mtimeMs) });
    }
  }
}

function addMember(io: BundleIo, pack: tar.Pack, member: Member): Promise<void> {
  return new Promise((resolve, reject) => {
    const header = { name: member.name, size: member.size, mode: member.mode, mtime: member.mtime, uid: 0, gid: 0, uname: 'root', gname: 'root' };
    if (!member.source) {
      pack.entry({ ...header, type: 'directory' }, error => (error ? reject(error) : resolve()));
      return;
    }
    const entry = pack.entry({ ...header, type: 'file' }, error => (error ? reject(error) : resolve())) as unknown as NodeJS.WritableStream & { destroy(error?: Error): void };
    (async () => {
      for await (const chunk of io.readStream(member.source!)) {
        if (!entry.write(chunk)) await new Promise<void>(done => entry.once('drain', () => done()));
      }
      entry.end();
    })().catch(error => {
      entry.destroy(error);
      reject(error);
    });
  });
}
