// Reads a bundle back: gunzip + tar-stream extract. Used to check bundles (tests, tools); the
// writer is tarball.ts.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

export interface ArchiveEntry {
  name: string;
  type: string;
  mode: number;
  content: Uint8Array;
}

/** Every entry of a .tar.gz, in archive order, with its content. Holds the whole archive: for checks, not for big bundles. */
export async function readTarGz(bytes: Uint8Array): Promise<ArchiveEntry[]> {
  const extract = tar.extract();
  Readable.from([bytes]).pipe(createGunzip()).pipe(extract);
  const entries: ArchiveEntry[] = [];
  for await (const entry of extract) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of entry) chunks.push(chunk as Uint8Array);
    entries.push({ name: entry.header.name, type: entry.header.type ?? 'file', mode: entry.header.mode ?? 0, content: Buffer.concat(chunks) });
  }
  return entries;
}
