// xxHash32 (seed 0 by default), one-shot and streaming: the header, block and content checksums
// of the LZ4 frame format. Pure arithmetic on 32-bit lanes with Math.imul.

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;
const P5 = 0x165667b1 | 0;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const read32 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/** Streaming xxHash32: `update` any number of times, then `digest`. */
export class XxHash32 {
  private v1: number;
  private v2: number;
  private v3: number;
  private v4: number;
  private total = 0;
  private readonly tail = new Uint8Array(16);
  private tailLength = 0;

  constructor(private readonly seed = 0) {
    this.v1 = (seed + P1 + P2) | 0;
    this.v2 = (seed + P2) | 0;
    this.v3 = seed | 0;
    this.v4 = (seed - P1) | 0;
  }

  update(data: Uint8Array): this {
    let i = 0;
    const n = data.length;
    this.total += n;
    if (this.tailLength > 0) {
      const take = Math.min(16 - this.tailLength, n);
      this.tail.set(data.subarray(0, take), this.tailLength);
      this.tailLength += take;
      i = take;
      if (this.tailLength < 16) return this;
      this.stripes(this.tail, 0, 16);
      this.tailLength = 0;
    }
    const end = i + ((n - i) & ~15);
    if (end > i) this.stripes(data, i, end);
    if (end < n) {
      this.tail.set(data.subarray(end), 0);
      this.tailLength = n - end;
    }
    return this;
  }

  /** Consumes whole 16-byte stripes of `b` from `i` to `end`. */
  private stripes(b: Uint8Array, i: number, end: number) {
    let v1 = this.v1, v2 = this.v2, v3 = this.v3, v4 = this.v4;
    for (; i < end; i += 16) {
      v1 = Math.imul(rotl((v1 + Math.imul(read32(b, i), P2)) | 0, 13), P1);
      v2 = Math.imul(rotl((v2 + Math.imul(read32(b, i + 4), P2)) | 0, 13), P1);
      v3 = Math.imul(rotl((v3 + Math.imul(read32(b, i + 8), P2)) | 0, 13), P1);
      v4 = Math.imul(rotl((v4 + Math.imul(read32(b, i + 12), P2)) | 0, 13), P1);
    }
    this.v1 = v1; this.v2 = v2; this.v3 = v3; this.v4 = v4;
  }

  digest(): number {
    let h: number;
    if (this.total >= 16) h = (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0;
    else h = (this.seed + P5) | 0;
    h = (h + this.total) | 0; // the length modulo 2^32, as the reference does
    const b = this.tail;
    let i = 0;
    for (; i + 4 <= this.tailLength; i += 4) h = Math.imul(rotl((h + Math.imul(read32(b, i), P3)) | 0, 17), P4);
    for (; i < this.tailLength; i++) h = Math.imul(rotl((h + Math.imul(b[i]!, P5)) | 0, 11), P1);
    h ^= h >>> 15;
    h = Math.imul(h, P2);
    h ^= h >>> 13;
    h = Math.imul(h, P3);
    h ^= h >>> 16;
    return h >>> 0;
  }
}

export const xxHash32 = (data: Uint8Array, seed = 0) => new XxHash32(seed).update(data).digest();
