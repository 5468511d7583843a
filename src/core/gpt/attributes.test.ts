import { expect, test } from 'bun:test';
import {
  everBooted, flagsOf, hex64, priority, setEverBooted, setPriority, setSuccessful, setTries, successful, tries, willBoot,
} from './attributes';
import { bytesToGuid, guidToBytes, PARTITION_TYPES } from './guid';
import { crc32 } from './crc32';

// signpost.md 11, vectors 1-5 (upstream gptprio.rs tests).
test('vector 1-4: decode, then clear priority, tries and successful one at a time', () => {
  const a = 0x5555555555555555n;
  expect([priority(a), tries(a), successful(a), willBoot(a)]).toEqual([5, 5, true, true]);
  const p0 = setPriority(a, 0);
  expect(hex64(p0)).toBe('0x5550555555555555');
  const t0 = setTries(p0, 0);
  expect(hex64(t0)).toBe('0x5500555555555555');
  const s0 = setSuccessful(t0, false);
  expect(hex64(s0)).toBe('0x5400555555555555');
  expect(willBoot(s0)).toBe(false);
});

test('vector 5: boot-ever-succeeded is bit 57', () => {
  const a = setEverBooted(0n, true);
  expect(hex64(a)).toBe('0x0200000000000000');
  expect(everBooted(a)).toBe(true);
  expect(successful(a)).toBe(false);
});

test.each([
  [0x0101000000000000n, { priority: 1, triesLeft: 0, successful: true }, true],
  [0x0012000000000000n, { priority: 2, triesLeft: 1, successful: false }, true],
  [0x0002000000000000n, { priority: 2, triesLeft: 0, successful: false }, false],
  [0x0100000000000000n, { priority: 0, triesLeft: 0, successful: true }, true], // Quirk: signpost says it will boot
  [0x0010000000000000n, { priority: 0, triesLeft: 1, successful: false }, false],
])('flags of %p', (a, flags, boots) => {
  expect(flagsOf(a)).toEqual(flags);
  expect(willBoot(a)).toBe(boots);
});

test('setters keep every other bit and refuse values beyond 4 bits', () => {
  const a = 0x8000000000000005n;
  expect(hex64(setTries(setPriority(a, 15), 15))).toBe('0x80ff000000000005');
  expect(() => setPriority(a, 16)).toThrow('GPT priority must be 0..15, not 16');
  expect(() => setTries(a, -1)).toThrow('GPT tries must be 0..15, not -1');
});

test('vector 6: uuid_to_guid of the BIOS boot type is "Hah!IdontNeedEFI"', () => {
  expect(new TextDecoder().decode(guidToBytes('21686148-6449-6e6f-744e-656564454649'))).toBe('Hah!IdontNeedEFI');
});

test('vector 7: the BOOT type is stored as "hack the planet!"', () => {
  expect(new TextDecoder().decode(guidToBytes(PARTITION_TYPES.BOOT))).toBe('hack the planet!');
});

test.each(Object.entries(PARTITION_TYPES))('%s type GUID survives a round trip', (_name, guid) => {
  expect(bytesToGuid(guidToBytes(guid))).toBe(guid);
});

test('on-disk bytes of the ROOT type match the spec table', () => {
  expect([...guidToBytes(PARTITION_TYPES.ROOT)].map(b => b.toString(16).padStart(2, '0')).join(' ')).toBe('6a 01 26 55 97 1a a4 4e b3 9a b7 c8 c6 ca 45 02');
});

test('crc32 is CRC-32/ISO-HDLC', () => {
  expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  expect(crc32(new Uint8Array(0))).toBe(0);
});
