// A streaming LZ4 frame decoder (the format liblz4's LZ4F and the `lz4` CLI write): header,
// block and content checksums (xxHash32), linked or independent blocks, skippable frames and
// concatenated frames, as the `lz4` crate accepts them for updog (updates.md 4.1). Input is
// buffered only up to one block, so memory stays bounded whatever the image size.
import { BrktError } from '../errors';
import { loadBlockDecoder } from './block';
import { xxHash32, XxHash32 } from './xxhash32';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const LEGACY_MAGIC = 0x184c2102;
const BLOCK_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };
/** Linked blocks may refer back this far into earlier output. */
const WINDOW = 64 << 10;

type Uncompress = Awaited<ReturnType<typeof loadBlockDecoder>>;

interface FrameState {
  blockMax: number;
  independent: boolean;
  blockChecksum: boolean;
  contentChecksum: XxHash32 | undefined;
  contentSize: bigint | undefined;
  produced: bigint;
  history: Uint8Array | undefined;
}

const fail = (what: string, reason: string): never => {
  throw new BrktError('invalid-input', `LZ4 decode of ${what} failed: ${reason}`);
};

const u32 = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** Decodes LZ4 frames pushed in chunks of any size; yields decoded blocks in order. */
export class Lz4FrameDecoder {
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  private frame: FrameState | undefined;
  private skip = 0;
  private frames = 0;

  private constructor(private readonly uncompress: Uncompress, private readonly what: string) {}

  /** `what` names the stream in errors (a target name); `tmpdir` helps explain a failed addon load. */
  static async create(what: string, tmpdir?: string): Promise<Lz4FrameDecoder> {
    return new Lz4FrameDecoder(await loadBlockDecoder(tmpdir), what);
  }

  /** The decoded size the current frame's header announces, when it does (`lz4 --content-size`). */
  get announcedSize(): bigint | undefined {
    return this.frame?.contentSize;
  }

  /** Feeds compressed bytes; returns the decoded bytes that became available. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length === 0) return [];
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    const out: Uint8Array[] = [];
    while (this.step(out));
    return out;
  }

  /** Ends the stream: it must stop between frames, after at least one frame. */
  finish(): void {
    if (this.frame || this.skip > 0 || this.pendingLength > 0) fail(this.what, 'the stream ends inside a frame (truncated)');
    if (this.frames === 0) fail(this.what, 'the stream holds no LZ4 frame');
  }

  /** Takes exactly `n` bytes from the front of the input, or undefined when fewer are buffered. */
  private take(n: number): Uint8Array | undefined {
    if (this.pendingLength < n) return undefined;
    const first = this.pending[0]!;
    let result: Uint8Array;
    if (first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
    } else {
      result = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const head = this.pending[0]!;
        const part = Math.min(head.length, n - filled);
        result.set(head.subarray(0, part), filled);
        filled += part;
        if (part === head.length) this.pending.shift();
        else this.pending[0] = head.subarray(part);
      }
    }
    this.pendingLength -= n;
    return result;
  }

  private peek(n: number): Uint8Array | undefined {
    if (this.pendingLength < n) return undefined;
    const bytes = this.take(n)!;
    this.pending.unshift(bytes);
    this.pendingLength += n;
    return bytes;
  }

  /** One unit of work (a header, a block, an end mark); false when more input is needed. */
  private step(out: Uint8Array[]): boolean {
    if (this.skip > 0) {
      const drop = Math.min(this.skip, this.pendingLength);
      if (drop === 0) return false;
      this.take(drop);
      this.skip -= drop;
      return this.skip === 0;
    }
    if (!this.frame) return this.header();
    const sizeBytes = this.peek(4);
    if (!sizeBytes) return false;
    const word = u32(sizeBytes, 0);
    if (word === 0) return this.endMark();
    const raw = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    const frame = this.frame;
    if (size > frame.blockMax) fail(this.what, `block of ${size} bytes exceeds the frame's maximum block size ${frame.blockMax}`);
    const checksumBytes = frame.blockChecksum ? 4 : 0;
    if (this.pendingLength < 4 + size + checksumBytes) return false;
    this.take(4);
    const data = this.take(size)!;
    if (frame.blockChecksum) {
      const expected = u32(this.take(4)!, 0);
      if (xxHash32(data) !== expected) fail(this.what, 'block checksum mismatch');
    }
    const decoded = raw ? data.slice() : this.decodeBlock(data, frame);
    frame.contentChecksum?.update(decoded);
    frame.produced += BigInt(decoded.length);
    if (!frame.independent) frame.history = keepWindow(frame.history, decoded);
    out.push(decoded);
    return true;
  }

  private decodeBlock(data: Uint8Array, frame: FrameState): Uint8Array {
    // lz4-napi wants the decoded size in front; the frame only gives an upper bound, and
    // lz4_flex truncates its output to what the block really holds.
    const input = new Uint8Array(4 + data.length);
    input[0] = frame.blockMax & 0xff;
    input[1] = (frame.blockMax >>> 8) & 0xff;
    input[2] = (frame.blockMax >>> 16) & 0xff;
    input[3] = (frame.blockMax >>> 24) & 0xff;
    input.set(data, 4);
    try {
      return frame.independent || !frame.history ? this.uncompress(input) : this.uncompress(input, frame.history);
    } catch (error) {
      return fail(this.what, `corrupt block (${(error as Error).message})`);
    }
  }

  private header(): boolean {
    const magicBytes = this.peek(4);
    if (!magicBytes) return false;
    const magic = u32(magicBytes, 0);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      const head = this.take(8);
      if (!head) return false;
      this.skip = u32(head, 4);
      this.frames++;
      return true;
    }
    if (magic === LEGACY_MAGIC) fail(this.what, 'legacy LZ4 frames are not supported');
    if (magic !== FRAME_MAGIC) fail(this.what, `bad magic number 0x${magic.toString(16).padStart(8, '0')} (not an LZ4 frame)`);
    const flags = this.peek(6);
    if (!flags) return false;
    const flg = flags[4]!;
    const length = 4 + 2 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
    const head = this.take(length);
    if (!head) return false;
    const bd = head[5]!;
    if (flg >> 6 !== 1) fail(this.what, `unsupported frame version ${flg >> 6}`);
    if (flg & 0x02 || bd & 0x8f) fail(this.what, 'reserved bits set in the frame descriptor');
    const blockMax = BLOCK_SIZES[(bd >> 4) & 0x07];
    if (!blockMax) fail(this.what, `invalid maximum block size code ${(bd >> 4) & 0x07}`);
    if (((xxHash32(head.subarray(4, length - 1)) >>> 8) & 0xff) !== head[length - 1]) fail(this.what, 'frame header checksum mismatch');
    if (flg & 0x01) fail(this.what, 'the frame needs a dictionary (dictionary id set)');
    let contentSize: bigint | undefined;
    if (flg & 0x08) contentSize = BigInt(u32(head, 6)) | (BigInt(u32(head, 10)) << 32n);
    this.frame = {
      blockMax: blockMax!,
      independent: (flg & 0x20) !== 0,
      blockChecksum: (flg & 0x10) !== 0,
      contentChecksum: flg & 0x04 ? new XxHash32() : undefined,
      contentSize,
      produced: 0n,
      history: undefined,
    };
    return true;
  }

  private endMark(): boolean {
    const frame = this.frame!;
    const length = 4 + (frame.contentChecksum ? 4 : 0);
    const tail = this.take(length);
    if (!tail) return false;
    if (frame.contentChecksum && frame.contentChecksum.digest() !== u32(tail, 4)) fail(this.what, 'content checksum mismatch');
    if (frame.contentSize !== undefined && frame.contentSize !== frame.produced) {
      fail(this.what, `content size ${frame.produced} differs from the ${frame.contentSize} bytes the header announces`);
    }
    this.frame = undefined;
    this.frames++;
    return true;
  }
}

/** The last 64 KiB of output, which the next linked block may reference. */
function keepWindow(history: Uint8Array | undefined, decoded: Uint8Array): Uint8Array {
  if (decoded.length >= WINDOW) return decoded.slice(decoded.length - WINDOW);
  const previous = history ?? new Uint8Array(0);
  const keep = Math.min(previous.length, WINDOW - decoded.length);
  const window = new Uint8Array(keep + decoded.length);
  window.set(previous.subarray(previous.length - keep), 0);
  window.set(decoded, keep);
  return window;
}

/** Decodes a whole stream of chunks; convenient for small targets (migrations, tests). */
export async function* decodeLz4Frames(chunks: AsyncIterable<Uint8Array>, what: string, tmpdir?: string): AsyncGenerator<Uint8Array> {
  const decoder = await Lz4FrameDecoder.create(what, tmpdir);
  for await (const chunk of chunks) yield* decoder.push(chunk);
  decoder.finish();
}
