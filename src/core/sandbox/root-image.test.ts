import { expect, test } from 'bun:test';
import { decodeSandboxRoot, encodeSandboxRoot, SANDBOX_ROOT_HEADER_BYTES } from './root-image';
import { osReleaseFor } from './init';

test('a root image round-trips its os-release', () => {
  const image = encodeSandboxRoot(osReleaseFor('1.2.0', 'aws-dev'), 3 * SANDBOX_ROOT_HEADER_BYTES);
  expect(image.length).toBe(3 * SANDBOX_ROOT_HEADER_BYTES);
  expect(decodeSandboxRoot(image)?.release.versionId).toBe('1.2.0');
});

test.each([
  ['zeros', new Uint8Array(SANDBOX_ROOT_HEADER_BYTES)],
  ['a torn header', encodeSandboxRoot(osReleaseFor('1.2.0', 'aws-dev')).subarray(0, 30)],
  ['no version', encodeSandboxRoot('NAME=x\n')],
])('%s is not bootable', (_, bytes) => {
  expect(decodeSandboxRoot(bytes)).toBeUndefined();
});
