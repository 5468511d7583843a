// The LZ4 block decoder: lz4-napi's per-block `uncompressSync` (lz4_flex), loaded on first use.
// A compiled brkt unpacks the addon into $TMPDIR before loading it, so a missing or read-only
// TMPDIR shows up here; it is reported as such instead of napi-rs's "Cannot find native binding".
import { BrktError, messageOf } from '../errors';

type Uncompress = (data: Uint8Array, dict?: Uint8Array | null) => Uint8Array;

let loaded: Uncompress | undefined;

/** Loads the addon once; `tmpdir` (the TMPDIR the process runs with) only improves the message. */
export async function loadBlockDecoder(tmpdir?: string): Promise<Uncompress> {
  if (loaded) return loaded;
  try {
    const addon = await import('lz4-napi');
    loaded = addon.uncompressSync as Uncompress;
    return loaded;
  } catch (error) {
    const causes = describeCauses(error);
    const where = tmpdir ? `TMPDIR=${tmpdir}` : 'TMPDIR (unset, so /tmp)';
    throw new BrktError('io', `Failed to load the LZ4 decoder (lz4-napi): the native addon is unpacked into ${where}, which must exist and be writable: ${causes}`, { cause: error });
  }
}

/** napi-rs chains its load errors through `cause`; the deepest one names the real problem. */
function describeCauses(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error; e && messages.length < 4; e = (e as { cause?: unknown }).cause) messages.push(messageOf(e).split('\n')[0]!);
  return messages.at(-1) ?? 'unknown error';
}
