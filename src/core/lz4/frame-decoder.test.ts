import { describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { withTool } from '../../../test/helpers/tools';
import { decodeLz4Frames, Lz4FrameDecoder } from './frame-decoder';
import { encodeLz4Frame } from './frame-encoder';
import { xxHash32 } from './xxhash32';

/** Compressible but not trivial: text-like runs mixed with pseudo-random bytes. */
function sample(size: number, seed = 1): Uint8Array {
  const data = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    data[i] = (i >> 12) % 3 === 0 ? x >>> 24 : 'brkt frame '.charCodeAt(i % 11);
  }
  return data;
}

async function* chunked(data: Uint8Array, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function decodeAll(data: Uint8Array, chunk = 65536): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of decodeLz4Frames(chunked(data, chunk), 'test.lz4')) parts.push(part);
  return Buffer.concat(parts);
}

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function lz4Cli(flags: string[], input: Uint8Array): Uint8Array {
  const result = Bun.spawnSync({ cmd: ['lz4', ...flags, '-c'], stdin: input, stdout: 'pipe', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`lz4 ${flags.join(' ')} failed: ${result.stderr.toString()}`);
  return new Uint8Array(result.stdout);
}

describe('against the lz4 CLI', () => {
  const input = sample(9 * 1024 * 1024 + 12345);
  const cases: Array<[string, string[]]> = [
    ['defaults (4 MiB independent blocks, content checksum)', []],
    ['linked blocks of 64 KiB', ['-BD', '-B4']],
    ['block checksums and 256 KiB blocks', ['-BX', '-B5']],
    ['no content checksum, content size in header', ['--no-frame-crc', '--content-size']],
    ['linked 1 MiB blocks with every checksum, level 9', ['-BD', '-B6', '-BX', '-9']],
  ];
  for (const [name, flags] of cases) {
    withTool('lz4')(`decodes ${name}`, async () => {
      const compressed = lz4Cli(flags, input);
      expect(sha(await decodeAll(compressed, 100_003))).toBe(sha(input));
    });
  }

  withTool('lz4')('incompressible data (raw blocks)', async () => {
    const noise = new Uint8Array(300_000);
    for (let i = 0; i < noise.length; i += 65536) crypto.getRandomValues(noise.subarray(i, i + 65536));
    const compressed = lz4Cli(['-B4'], noise);
    expect(sha(await decodeAll(compressed, 7))).toBe(sha(noise));
  });

  withTool('lz4')('concatenated frames with a skippable frame between them', async () => {
    const a = sample(200_000, 2);
    const b = sample(300_000, 3);
    const skippable = new Uint8Array([0x5a, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]);
    const joined = Buffer.concat([lz4Cli([], a), skippable, lz4Cli(['-BD'], b)]);
    expect(sha(await decodeAll(joined, 1000))).toBe(sha(Buffer.concat([a, b])));
  });

  withTool('lz4')('the lz4 CLI decodes our encoder output', async () => {
    const parts: Uint8Array[] = [];
    for await (const part of encodeLz4Frame(chunked(input, 1_000_000))) parts.push(part);
    const framed = Buffer.concat(parts);
    expect(framed.length).toBeLessThan(input.length);
    const result = Bun.spawnSync({ cmd: ['lz4', '-d', '-c'], stdin: framed, stdout: 'pipe' });
    expect(result.exitCode).toBe(0);
    expect(sha(new Uint8Array(result.stdout))).toBe(sha(input));
    expect(sha(await decodeAll(framed))).toBe(sha(input));
  });

  withTool('lz4')('a file written by lz4 decodes from disk in odd chunk sizes', async () => {
    await using dir = makeTempDir();
    const plain = join(dir.root, 'image');
    await Bun.write(plain, sample(1_500_000, 9));
    expect(Bun.spawnSync({ cmd: ['lz4', '-q', plain, plain + '.lz4'] }).exitCode).toBe(0);
    const compressed = new Uint8Array(await Bun.file(plain + '.lz4').arrayBuffer());
    expect(sha(await decodeAll(compressed, 1))).toBe(sha(sample(1_500_000, 9)));
  });
});

describe('corruption is detected and named', () => {
  const input = sample(600_000, 5);
  const framed = () => lz4Cli(['-BX', '-B4'], input);
  const expectFailure = async (bytes: Uint8Array, message: string) => {
    await expect(decodeAll(bytes)).rejects.toThrow(message);
  };

  withTool('lz4')('a flipped byte inside a block: block checksum mismatch', async () => {
    const bytes = framed();
    bytes[200]! ^= 0x40;
    await expectFailure(bytes, 'block checksum mismatch');
  });

  withTool('lz4')('a flipped header bit: frame header checksum mismatch', async () => {
    const bytes = framed();
    bytes[4]! ^= 0x08; // content size flag
    await expectFailure(bytes, 'frame header checksum mismatch');
  });

  withTool('lz4')('a wrong content checksum', async () => {
    const bytes = framed();
    bytes[bytes.length - 1]! ^= 0xff;
    await expectFailure(bytes, 'content checksum mismatch');
  });

  withTool('lz4')('a truncated stream', async () => {
    await expectFailure(framed().subarray(0, 5000), 'truncated');
  });

  test('not an LZ4 frame at all', async () => {
    await expectFailure(new TextEncoder().encode('hello, this is plain text'), 'bad magic number');
  });

  test('an empty stream holds no frame', async () => {
    const decoder = await Lz4FrameDecoder.create('empty.lz4');
    expect(() => decoder.finish()).toThrow('the stream holds no LZ4 frame');
  });

  test('xxHash32 reference values', () => {
    expect(xxHash32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxHash32(new TextEncoder().encode('abc'))).toBe(0x32d153ff);
  });
});
