// The `/exec` WebSocket protocol (api.md 9; upstream models/src/exec.rs): JSON control messages
// in text frames, process data in binary frames, the exit code in a Normal close frame.

/** Server -> client: stdin messages written so far, sent every `CAPACITY_EVERY` writes. */
export const MAX_MESSAGES_OUTSTANDING = 1024;
export const CAPACITY_EVERY = 128;
export const PING_INTERVAL_MS = 2_000;
export const CLIENT_TIMEOUT_MS = 10_000;
/** WebSocket close codes (RFC 6455 7.4.1). */
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY = 1008;
export const CLOSE_ERROR = 1011;

export interface TtySize {
  rows: number;
  cols: number;
}

export interface Initialize {
  command: string[];
  target: string;
  tty?: { size: TtySize } | null;
}

export type ClientMessage = { Initialize: Initialize } | 'ContentComplete' | { Winch: TtySize };

export interface Capacity {
  max_messages_outstanding: number;
  messages_written: number;
}

/** serde's OsString on Unix: `{"Unix":[bytes]}`; a plain string is accepted too. */
export const encodeArgument = (argument: string) => ({ Unix: Array.from(new TextEncoder().encode(argument)) });

function decodeArgument(value: unknown): string {
  if (typeof value === 'string') return value;
  const bytes = (value as { Unix?: unknown } | null)?.Unix;
  if (Array.isArray(bytes) && bytes.every(byte => Number.isInteger(byte) && byte >= 0 && byte <= 255)) {
    return new TextDecoder().decode(Uint8Array.from(bytes as number[]));
  }
  throw new Error('a command argument must be a string or {"Unix":[bytes]}');
}

function decodeSize(value: unknown): TtySize {
  const size = value as { rows?: unknown; cols?: unknown } | null;
  const valid = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 65535;
  if (!size || !valid(size.rows) || !valid(size.cols)) throw new Error('a terminal size needs integer rows and cols (0..65535)');
  return { rows: size.rows as number, cols: size.cols as number };
}

/** Parses one control message; throws with the reason a close frame carries. */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('control messages must be JSON');
  }
  if (value === 'ContentComplete') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Winch' in object) return { Winch: decodeSize(object.Winch) };
    if ('Initialize' in object) {
      const init = object.Initialize as Record<string, unknown> | null;
      if (!init || !Array.isArray(init.command) || init.command.length === 0) throw new Error('Initialize needs a non-empty command');
      if (typeof init.target !== 'string' || init.target === '') throw new Error('Initialize needs a target');
      const tty = init.tty === null || init.tty === undefined ? null : { size: decodeSize((init.tty as { size?: unknown }).size) };
      return { Initialize: { command: init.command.map(decodeArgument), target: init.target, tty } };
    }
  }
  throw new Error(`unknown control message ${text.slice(0, 80)}`);
}
