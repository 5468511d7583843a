// A streaming LZ4 frame encoder for publishing images: one frame of independent 4 MiB blocks
// with a content checksum, the `lz4` CLI's defaults, built on lz4-napi's block compressor.
import { BrktError, messageOf } from '../errors';
import { xxHash32, XxHash32 } from './xxhash32';

const BLOCK_MAX = 4 << 20;

type Compress = (data: Uint8Array) => Uint8Array;

async function loadCompressor(): Promise<Compress> {
  try {
    const addon = await import('lz4-napi');
    return addon.compressSync as unknown as Compress;
  } catch (error) {
    throw new BrktError('io', `Failed to load the LZ4 encoder (lz4-napi): ${messageOf(error)}`, { cause: error });
  }
}

/** The frame header: version 01, independent blocks, content checksum, 4 MiB blocks. */
function frameHeader(): Uint8Array {
  const header = new Uint8Array(7);
  new DataView(header.buffer).setUint32(0, 0x184d2204, true);
  header[4] = 0b0110_0100;
  header[5] = 0b0111_0000;
  header[6] = (xxHash32(header.subarray(4, 6)) >>> 8) & 0xff;
  return header;
}

const word = (value: number) => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
  return bytes;
};

/** Encodes a stream of chunks (any sizes) into one LZ4 frame, yielding it in pieces. */
export async function* encodeLz4Frame(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const compress = await loadCompressor();
  const checksum = new XxHash32();
  const block = new Uint8Array(BLOCK_MAX);
  let filled = 0;
  const emit = function* (data: Uint8Array) {
    checksum.update(data);
    // lz4-napi prepends the decoded size; a block that does not shrink is stored raw.
    const packed = compress(data).subarray(4);
    if (packed.length < data.length) {
      yield word(packed.length);
      yield packed;
    } else {
      yield word(data.length | 0x80000000);
      yield data.slice();
    }
  };
  yield frameHeader();
  for await (const chunk of chunks) {
    let at = 0;
    while (at < chunk.length) {
      const part = Math.min(BLOCK_MAX - filled, chunk.length - at);
      block.set(chunk.subarray(at, at + part), filled);
      filled += part;
      at += part;
      if (filled === BLOCK_MAX) {
        yield* emit(block);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield* emit(block.subarray(0, filled));
  yield word(0);
  yield word(checksum.digest());
}
