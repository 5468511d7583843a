// Writes one update image to a partition: download -> TUF length and hash check -> LZ4 frame
// decode -> write at an offset, with memory bounded by one LZ4 block whatever the image size,
// then fsync (updates.md 4.1 step 6.3). The bytes are untrusted until the stream ends without
// error: callers must have made the partition set unbootable first.
import { BrktError } from '../errors';
import { Lz4FrameDecoder } from '../lz4/frame-decoder';
import type { DeviceHandle } from '../../platform/types';
import type { UpdateRepository } from './repository';

/** Signed target metadata key for the decoded size; `brkt repo` writes it for every image. */
export const DECODED_LENGTH_KEY = 'decoded_length';

export interface ImageWriteOptions {
  /** Where the partition starts on `device` (0 for a partition device node). */
  offset: number;
  /** The partition's size: the decoded image must fit. */
  maxBytes: number;
  /** Names the partition in errors (`/dev/nvme0n1p5`, `B root`). */
  partition: string;
  /** TMPDIR of the process, to explain a failed LZ4 addon load. */
  tmpdir?: string;
  /** Called after each write with the compressed bytes read and decoded bytes written so far. */
  onProgress?(progress: { read: number; written: number; total: number }): void;
}

export interface ImageWriteResult {
  /** Decoded bytes written. */
  written: number;
  /** Compressed bytes downloaded (the target's length). */
  read: number;
}

/** Streams target `name` of `repository`, decoded, into `device` at `options.offset`. */
export async function writeImage(repository: UpdateRepository, name: string, device: DeviceHandle, options: ImageWriteOptions): Promise<ImageWriteResult> {
  const info = repository.target(name);
  if (!info) throw new BrktError('not-found', `Target ${name} is not listed in the repository's signed targets metadata`);
  const tooLarge = (size: bigint | number | string) =>
    new BrktError('invalid-input', `Image ${name} (${size} bytes decoded) does not fit partition ${options.partition} (${options.maxBytes} bytes)`);
  // A signed decoded size lets a partition that is too small fail before the first byte.
  const custom = repository.targetCustom(name);
  const declared = custom?.[DECODED_LENGTH_KEY];
  if (typeof declared === 'number' && declared > options.maxBytes) throw tooLarge(declared);
  const decoder = await Lz4FrameDecoder.create(name, options.tmpdir);
  const stream = repository.streamTarget(name);
  let read = 0;
  let written = 0;
  try {
    // Iterated by hand: a for-await loop would close the stream on an error, and the error
    // handling below still needs to read its end.
    for (let next = await stream.next(); !next.done; next = await stream.next()) {
      const chunk = next.value;
      read += chunk.length;
      const blocks = decoder.push(chunk);
      // The frame header comes before any block: an announced size is checked before writing.
      const announced = decoder.announcedSize;
      if (announced !== undefined && announced > BigInt(options.maxBytes)) throw tooLarge(announced);
      for (const block of blocks) {
        if (written + block.length > options.maxBytes) throw tooLarge(`more than ${options.maxBytes}`);
        await device.write(options.offset + written, block);
        written += block.length;
      }
      options.onProgress?.({ read, written, total: info.length });
    }
    decoder.finish();
  } catch (error) {
    throw await verificationFailure(stream, error);
  }
  await device.sync();
  return { written, read };
}

/**
 * A tampered image usually breaks the LZ4 decode before the stream's own hash check runs; read
 * the rest (bounded by the signed length) so the error names the tampering when that is the cause.
 */
async function verificationFailure(stream: AsyncGenerator<Uint8Array>, error: unknown): Promise<unknown> {
  if (!(error instanceof BrktError) || !error.message.startsWith('LZ4 decode')) {
    await stream.return(undefined).catch(() => undefined); // drops the connection
    return error;
  }
  try {
    while (!(await stream.next()).done);
  } catch (tuf) {
    return tuf;
  }
  return error;
}
