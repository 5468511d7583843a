// Strict standard base64 (RFC 4648 alphabet, `=` padding optional as the 2020 decoder allowed),
// shared by the base64_decode helper and anything that must refuse what upstream refused.
import { Buffer } from 'node:buffer';

const ALPHABET = /^[A-Za-z0-9+/]*$/;

/** Decoded bytes, or `undefined` when `text` is not valid base64 (whitespace is invalid too). */
export function decodeBase64(text: string): Uint8Array | undefined {
  const padding = text.length - text.replace(/=+$/, '').length;
  const body = text.slice(0, text.length - padding);
  if (padding > 2 || !ALPHABET.test(body)) return undefined;
  if (padding > 0 && text.length % 4 !== 0) return undefined;
  if (body.length % 4 === 1) return undefined;
  const bytes = Buffer.from(body, 'base64');
  // Leftover bits in the last symbol must be zero, or two texts would decode to the same bytes.
  if (Buffer.from(bytes).toString('base64').replace(/=+$/, '') !== body) return undefined;
  return new Uint8Array(bytes);
}
