// The framing of `brkt dev vm`'s agent channel: one byte stream (a virtio-serial port) carrying
// frames `magic(4) type(1) session(4) length(4) payload`. The channel outlives its clients (a
// client may die mid-command, the VM may reboot), so every frame names its session and a reader
// that finds no magic skips ahead to the next one.

export const AGENT_MAGIC = [0x42, 0x52, 0x4b, 0x41] as const; // "BRKA"
export const AGENT_HEADER_BYTES = 13;
/** Larger payloads are split; a length above this means the reader lost its place. */
export const AGENT_MAX_PAYLOAD = 1 << 20;

export const FRAME = {
  /** host: who are you? guest: `hello` with its boot id (also sent unasked when the agent starts). */
  ping: 1,
  hello: 2,
  /** host: run `{ argv, bootId }`; the guest refuses a command meant for another boot. */
  exec: 3,
  stdout: 4,
  stderr: 5,
  /** guest: the command ended; payload `{ code }` (128 + signal number when killed). */
  exit: 6,
  /** host: is the API up? guest: `{ ready, detail }`. */
  apiCheck: 7,
  apiStatus: 8,
} as const;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export interface Frame {
  type: FrameType;
  session: number;
  payload: Uint8Array;
}

export interface ExecRequest {
  argv: string[];
  bootId: string;
}

export function encodeFrame(type: FrameType, session: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > AGENT_MAX_PAYLOAD) throw new RangeError(`Agent frame payload of ${payload.length} bytes exceeds ${AGENT_MAX_PAYLOAD}`);
  const frame = new Uint8Array(AGENT_HEADER_BYTES + payload.length);
  const view = new DataView(frame.buffer);
  frame.set(AGENT_MAGIC, 0);
  view.setUint8(4, type);
  view.setUint32(5, session >>> 0);
  view.setUint32(9, payload.length);
  frame.set(payload, AGENT_HEADER_BYTES);
  return frame;
}

export const encodeJsonFrame = (type: FrameType, session: number, value: unknown) =>
  encodeFrame(type, session, new TextEncoder().encode(JSON.stringify(value)));

export const frameJson = <T>(frame: Frame): T => JSON.parse(new TextDecoder().decode(frame.payload)) as T;

const KNOWN_TYPES = new Set<number>(Object.values(FRAME));

/** Splits a byte stream into frames; bytes that do not start a valid frame are skipped. */
export class FrameReader {
  private buffer = new Uint8Array(0);
  /** Bytes dropped while looking for a frame start (a torn frame from an earlier client). */
  skipped = 0;

  push(chunk: Uint8Array): Frame[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const frames: Frame[] = [];
    let at = 0;
    for (;;) {
      const start = findMagic(joined, at);
      if (start < 0) {
        const keep = Math.max(at, joined.length - 3); // a possible partial magic stays
        this.skipped += keep - at;
        at = keep;
        break;
      }
      this.skipped += start - at;
      at = start;
      if (joined.length - at < AGENT_HEADER_BYTES) break;
      const view = new DataView(joined.buffer, joined.byteOffset + at);
      const type = view.getUint8(4);
      const length = view.getUint32(9);
      if (!KNOWN_TYPES.has(type) || length > AGENT_MAX_PAYLOAD) {
        at += 1; // not a frame after all: look for the next magic
        this.skipped += 1;
        continue;
      }
      if (joined.length - at < AGENT_HEADER_BYTES + length) break;
      frames.push({ type: type as FrameType, session: view.getUint32(5), payload: joined.slice(at + AGENT_HEADER_BYTES, at + AGENT_HEADER_BYTES + length) });
      at += AGENT_HEADER_BYTES + length;
    }
    this.buffer = joined.slice(at);
    return frames;
  }
}

function findMagic(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 4 <= bytes.length; i++) {
    if (bytes[i] === AGENT_MAGIC[0] && bytes[i + 1] === AGENT_MAGIC[1] && bytes[i + 2] === AGENT_MAGIC[2] && bytes[i + 3] === AGENT_MAGIC[3]) return i;
  }
  return -1;
}

/** Output of a command in payload-sized pieces. */
export function* chunkPayload(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += AGENT_MAX_PAYLOAD) yield bytes.subarray(at, at + AGENT_MAX_PAYLOAD);
}
