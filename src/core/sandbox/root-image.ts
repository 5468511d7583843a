// The root image of a sandbox release: a header line and the release's os-release. The sandbox
// bootloader reads it from the root partition of the set it boots; anything else in that
// partition (zeros after a clear, a torn write) is not bootable, as on a real host.
import { parseOsRelease, type OsRelease } from '../os-release';

export const SANDBOX_ROOT_MAGIC = '#!brkt-sandbox-root v1\n';
/** The header and os-release must fit here; the rest of the image is padding. */
export const SANDBOX_ROOT_HEADER_BYTES = 4096;

/** An image of `size` bytes (at least the header size) holding `osRelease`. */
export function encodeSandboxRoot(osRelease: string, size = SANDBOX_ROOT_HEADER_BYTES): Uint8Array {
  const text = new TextEncoder().encode(`${SANDBOX_ROOT_MAGIC}${osRelease}\0`);
  if (text.length > SANDBOX_ROOT_HEADER_BYTES || size < SANDBOX_ROOT_HEADER_BYTES) {
    throw new RangeError(`A sandbox root image needs ${SANDBOX_ROOT_HEADER_BYTES} bytes for its header`);
  }
  const image = new Uint8Array(size);
  image.set(text);
  return image;
}

/** The os-release of a sandbox root image, or undefined when the bytes are not a bootable image. */
export function decodeSandboxRoot(bytes: Uint8Array): { text: string; release: OsRelease } | undefined {
  const head = new TextDecoder().decode(bytes.subarray(0, SANDBOX_ROOT_HEADER_BYTES));
  if (!head.startsWith(SANDBOX_ROOT_MAGIC)) return undefined;
  const end = head.indexOf('\0');
  if (end < 0) return undefined;
  const text = head.slice(SANDBOX_ROOT_MAGIC.length, end);
  const release = parseOsRelease(text);
  return release.versionId ? { text, release } : undefined;
}
