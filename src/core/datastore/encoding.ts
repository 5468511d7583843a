// Key segment <-> path component encoding (datastore.md section 4): every UTF-8 byte outside
// ASCII letters, digits, `_` and `-` becomes `%XX` with uppercase hex. Mirrors upstream's
// filesystem.rs use of percent-encoding.
import { BrktError } from '../errors';

const KEEP = /^[A-Za-z0-9_-]$/;
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function encodeSegment(segment: string): string {
  let out = '';
  for (const c of segment) {
    if (KEEP.test(c)) {
      out += c;
      continue;
    }
    for (const byte of encoder.encode(c)) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Inverse of `encodeSegment`; a component that is not valid UTF-8 once decoded is an error. */
export function decodeSegment(component: string): string {
  if (!component.includes('%')) return component;
  const bytes: number[] = [];
  for (let i = 0; i < component.length; i++) {
    const c = component[i]!;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(component.slice(i + 1, i + 3))) {
      bytes.push(parseInt(component.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...encoder.encode(c));
    }
  }
  try {
    return strictDecoder.decode(new Uint8Array(bytes));
  } catch {
    throw new BrktError('invalid-input', `Path component '${component}' does not decode to UTF-8`);
  }
}
