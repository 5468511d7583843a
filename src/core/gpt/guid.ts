// GUIDs as GPT stores them: the first three fields little-endian ("mixed-endian"). Mirrors
// signpost's guid.rs (uuid_to_guid) and the type GUIDs of signpost.md 1.1.

/** Text form (`6b636168-7420-...`) to the 16 bytes stored in a GPT entry. */
export function guidToBytes(text: string): Uint8Array {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text)) {
    throw new RangeError(`Not a GUID: ${text}`);
  }
  const b = Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
  return Uint8Array.of(b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8));
}

/** The 16 stored bytes back to lower-case text form. */
export function bytesToGuid(bytes: Uint8Array): string {
  const b = bytes;
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  const hex = order.map(i => b[i]!.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A random (version 4) GUID in text form, for new disks and partitions. */
export function randomGuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** Partition type GUIDs of the Bottlerocket OS disk (signpost.md 1 and 1.1). */
export const PARTITION_TYPES = {
  BIOS_BOOT: '21686148-6449-6e6f-744e-656564454649',
  EFI_SYSTEM: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  EFI_BACKUP: 'b39ce39c-0a00-b4ab-2d11-f18f8237a21c',
  BOOT: '6b636168-7420-6568-2070-6c616e657421',
  ROOT: '5526016a-1a97-4ea4-b39a-b7c8c6ca4502',
  HASH: '598f10af-c955-4456-6a99-7720068a6cea',
  RESERVED: '0c5d99a5-d331-4147-baef-08e2b855bdc9',
  PRIVATE: '440408bb-eb0b-4328-a6e5-a29038fad706',
  DATA: '626f7474-6c65-6474-6861-726d61726b73',
} as const;
