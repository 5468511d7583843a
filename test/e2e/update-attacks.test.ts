// Every TUF attack that applies to `brkt update` (TUF specification, "Security"): the update
// fails with a message naming the attack; a metadata attack changes no byte of the disk; a
// tampered image leaves the active set byte-identical and the inactive set unbootable.
import { dribbled } from '../helpers/slow-body';
import { describe, expect, test } from 'bun:test';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brkt } from '../helpers/brkt';
import { expiringIn } from '../helpers/tuf-repo';
import { generateSigningKey } from '../../src/core/repo/keys';
import { encodeMetadata, signMetadata, type Signed, type SignedMetadata } from '../../src/core/repo/metadata';
import { diskHash, MiB, setView, updateSandbox, VARIANT, type UpdateSandbox } from './update-fixtures';

const update = (s: UpdateSandbox) => brkt('brkt', ['update', '--now'], { root: s.root });
const metadata = (s: UpdateSandbox, name: string) => readFileSync(join(s.repo.layout.metadataDir, name));
const json = (bytes: Buffer) => JSON.parse(bytes.toString()) as SignedMetadata;
const respond = (path: string, body: Uint8Array | ReadableStream) => (requested: string) => (requested === path ? new Response(body) : undefined);

/** Runs `brkt update --now` against the attacked repository: it fails naming `attack`, and the disk is unchanged. */
async function refusedWithoutWriting(s: UpdateSandbox, attack: RegExp | string) {
  const before = diskHash(s.sandbox);
  const result = await update(s);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(attack);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(diskHash(s.sandbox)).toBe(before);
}

describe('brkt update refuses TUF attacks', () => {
  test.concurrent('control: the same repository, unattacked, is applied', async () => {
    await using s = await updateSandbox();
    s.serve();
    const result = await update(s);
    expect(result).toMatchObject({ code: 0, stdout: "Update applied: aws-dev 1.2.0; it boots next (run 'brkt reboot')\n" });
    expect((await setView(s.sandbox, 'B')).flags).toEqual({ priority: 2, triesLeft: 1, successful: false });
  });

  test.concurrent('arbitrary software: a manifest naming an image the signed targets do not list', async () => {
    await using s = await updateSandbox();
    // The manifest is itself a target: replacing it without re-signing is a tampered target.
    const manifest = await s.repo.readManifest();
    const forged = JSON.stringify({ updates: [{ variant: VARIANT, arch: s.sandbox.platform.arch, version: '1.3.0', max_version: '1.3.0', waves: {}, images: { boot: 'evil-boot.lz4', root: 'evil-root.lz4', hash: 'evil-hash.lz4' } }], migrations: {} });
    const entry = s.repo.targets.signed.targets['manifest.json']!;
    s.serve(path => (path.startsWith('/targets/') && path.endsWith('manifest.json') ? new Response(forged.padEnd(entry.length, ' ')) : undefined));
    expect(manifest.updates).toHaveLength(1);
    await refusedWithoutWriting(s, /Refusing target manifest\.json: SHA-256 [0-9a-f]{64} differs .* \(tampered target\)/);
  });

  test.concurrent('endless data: an image longer than its signed length', async () => {
    await using s = await updateSandbox();
    const length = s.repo.targets.signed.targets[s.names.root]!.length;
    const before = await setView(s.sandbox, 'A');
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(readFileSync(join(s.repo.layout.targetsDir, `${s.repo.targets.signed.targets[s.names.root]!.hashes.sha256}.${s.names.root}`)));
      },
      pull(controller) {
        controller.enqueue(new Uint8Array(1 << 16)); // never ends: the client must stop
      },
    });
    s.serve(path => (path.endsWith(s.names.root) ? new Response(endless) : undefined));
    const result = await update(s);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Refusing target ${s.names.root}: more data than the ${length} bytes the targets metadata lists (endless data attack)`);
    expect(await setView(s.sandbox, 'A')).toEqual(before);
    expect((await setView(s.sandbox, 'B')).flags).toEqual({ priority: 0, triesLeft: 0, successful: false });
  });

  test.concurrent('endless data: a timestamp.json above 1 MiB', async () => {
    await using s = await updateSandbox();
    s.serve(respond('/metadata/timestamp.json', new Uint8Array(MiB + 1).fill(32)));
    await refusedWithoutWriting(s, 'Refusing timestamp.json: larger than its limit of 1048576 bytes (endless data attack)');
  });

  test.concurrent('rollback: an older timestamp than a previous run trusted', async () => {
    await using s = await updateSandbox();
    const old = metadata(s, 'timestamp.json');
    await s.repo.publish(); // a newer timestamp, seen once by the host
    s.serve();
    expect((await brkt('brkt', ['update', 'check'], { root: s.root })).code).toBe(0);
    s.serve(respond('/metadata/timestamp.json', old));
    await refusedWithoutWriting(s, /Refusing timestamp\.json: New timestamp version \d+ is less than current version \d+ \(rollback attack\)/);
  });

  test.concurrent('rollback protection is not given up when the trusted cache cannot be read', async () => {
    await using s = await updateSandbox();
    const old = metadata(s, 'timestamp.json');
    await s.repo.publish(); // a newer timestamp, seen once by the host
    s.serve();
    expect((await brkt('brkt', ['update', 'check'], { root: s.root })).code).toBe(0);
    // The cached timestamp becomes unreadable (not missing): a replay of the old one must still fail.
    const cached = s.sandbox.path('var/lib/brkt/tuf/timestamp.json');
    rmSync(cached);
    mkdirSync(cached);
    s.serve(respond('/metadata/timestamp.json', old));
    const result = await brkt('brkt', ['update', 'check'], { root: s.root });
    expect(result).toEqual({ code: 1, stdout: '', stderr: `brkt: Failed to read the trusted metadata ${cached}: EISDIR: illegal operation on a directory, read (refusing to trust the repository without it: rollback protection depends on it)\n` });
  });

  test.concurrent('indefinite freeze: expired metadata', async () => {
    await using s = await updateSandbox({ expires: { ...expiringIn(365), timestamp: new Date(Date.now() - 60_000) } });
    s.serve();
    await refusedWithoutWriting(s, 'Refusing timestamp.json: Final timestamp.json is expired (freeze attack: the repository serves stale metadata)');
  });

  test.concurrent('mix-and-match: a snapshot of another version under the requested name', async () => {
    await using s = await updateSandbox();
    const older = metadata(s, `${s.repo.snapshot.signed.version}.snapshot.json`);
    await s.repo.publish();
    s.serve(respond(`/metadata/${s.repo.snapshot.signed.version}.snapshot.json`, older));
    await refusedWithoutWriting(s, /Refusing \d+\.snapshot\.json: .*\(mix-and-match attack\)/);
  });

  test.concurrent('wrong signatures: a timestamp signed by a key the root does not trust', async () => {
    await using s = await updateSandbox();
    const forged = encodeMetadata(signMetadata(json(metadata(s, 'timestamp.json')).signed, [generateSigningKey('ed25519')]));
    s.serve(respond('/metadata/timestamp.json', forged));
    await refusedWithoutWriting(s, 'Refusing timestamp.json: timestamp was signed by 0/1 keys: wrong or too few signatures (arbitrary software attack)');
  });

  test.concurrent('too few signatures: a timestamp with its signature removed', async () => {
    await using s = await updateSandbox();
    const unsigned = json(metadata(s, 'timestamp.json'));
    unsigned.signatures = [];
    s.serve(respond('/metadata/timestamp.json', encodeMetadata(unsigned)));
    await refusedWithoutWriting(s, 'wrong or too few signatures (arbitrary software attack)');
  });

  test.concurrent('malicious root rotation: 2.root.json signed only by the attacker', async () => {
    await using s = await updateSandbox();
    const attacker = generateSigningKey('ed25519');
    const root = json(metadata(s, '1.root.json'));
    const keys = { [attacker.key.keyID]: attacker.key.toJSON() };
    const roles = Object.fromEntries(['root', 'targets', 'snapshot', 'timestamp'].map(role => [role, { keyids: [attacker.key.keyID], threshold: 1 }]));
    s.serve(respond('/metadata/2.root.json', encodeMetadata(signMetadata({ ...root.signed, version: 2, keys, roles } as Signed, [attacker]))));
    await refusedWithoutWriting(s, 'Refusing 2.root.json: root was signed by 0/1 keys of the trusted root or of its own (malicious root rotation)');
  });
});

/** Short deadlines for the slow-retrieval tests (3 s a request: honest ones pass on a busy machine), a long gap allowed. */
const SLOW_ENV = { BRKT_FETCH_TIMEOUT_MS: '3000', BRKT_FETCH_IDLE_TIMEOUT_MS: '60000', BRKT_FETCH_BACKOFF_MS: '1', BRKT_FETCH_MIN_BYTES_PER_SECOND: '1000000000' };


describe('slow retrieval: every request of the update path has a deadline', () => {
  test.concurrent('control: the same deadlines let an honest repository through', async () => {
    await using s = await updateSandbox();
    s.serve();
    expect(await brkt('brkt', ['update', 'check'], { root: s.root, env: SLOW_ENV })).toEqual({ code: 0, stdout: 'Update available: aws-dev 1.2.0 (running 1.0.0)\n', stderr: '' });
  });

  for (const [what, file] of [['timestamp.json', '/metadata/timestamp.json'], ['a root rotation', '/metadata/2.root.json']] as const) {
    test.concurrent(`update check fails at the deadline when ${what} is dribbled`, async () => {
      await using s = await updateSandbox();
      s.serve(path => (path === file ? new Response(dribbled()) : undefined));
      const result = await brkt('brkt', ['update', 'check'], { root: s.root, env: SLOW_ENV });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(new RegExp(`^brkt: .*Failed to fetch http://127\\.0\\.0\\.1:\\d+${file.replace(/\./g, '\\.')}( \\(after \\d tries\\))?: the download did not finish within 300\\d ms.*\n$`));
    });
  }

  test.concurrent('update fails at the deadline when the manifest is dribbled, with no disk change', async () => {
    await using s = await updateSandbox();
    s.serve(path => (path.startsWith('/targets/') && path.endsWith('.manifest.json') ? new Response(dribbled()) : undefined));
    const before = diskHash(s.sandbox);
    const result = await brkt('brkt', ['update', '--now'], { root: s.root, env: SLOW_ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/manifest\.json( \(after \d tries\))?: the download did not finish within \d+ ms/);
    expect(diskHash(s.sandbox)).toBe(before);
  });

  test.concurrent('update fails at the deadline when an image stalls half-way, and the inactive set does not boot', async () => {
    await using s = await updateSandbox();
    const entry = s.repo.targets.signed.targets[s.names.root]!;
    const image = readFileSync(join(s.repo.layout.targetsDir, `${entry.hashes.sha256}.${s.names.root}`));
    s.serve(path => (path.endsWith(s.names.root) ? new Response(dribbled(image.subarray(0, image.length >> 1))) : undefined));
    const result = await brkt('brkt', ['update', '--now'], { root: s.root, env: SLOW_ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${s.names.root.replace(/\./g, '\\.')}( \\(after \\d tries\\))?: the download did not finish within \\d+ ms`));
    expect((await setView(s.sandbox, 'B')).flags).toEqual({ priority: 0, triesLeft: 0, successful: false });
  });
});

describe('a bad image never leaves a bootable inactive set', () => {
  test.concurrent('tampered image: the active set is byte-identical and the inactive set does not boot', async () => {
    await using s = await updateSandbox();
    const entry = s.repo.targets.signed.targets[s.names.root]!;
    const path = join(s.repo.layout.targetsDir, `${entry.hashes.sha256}.${s.names.root}`);
    const bytes = readFileSync(path);
    bytes[bytes.length - 20]! ^= 0x55; // inside the last block: earlier blocks decode and are written
    writeFileSync(path, bytes);
    s.serve();
    const active = await setView(s.sandbox, 'A');
    const result = await update(s);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`Refusing target ${s.names.root}: SHA-256 [0-9a-f]{64} differs from [0-9a-f]{64} in the signed targets metadata \\(tampered target\\)`));
    expect(await setView(s.sandbox, 'A')).toEqual(active);
    const inactive = await setView(s.sandbox, 'B');
    expect(inactive.flags).toEqual({ priority: 0, triesLeft: 0, successful: false });
    // The sandbox bootloader agrees: set A boots.
    const reboot = await brkt('brkt', ['reboot'], { root: s.root });
    expect(reboot).toEqual({ code: 0, stdout: "Booted set A, version 1.0.0; 'brkt boot' starts it\n", stderr: '' });
    const status = await brkt('brkt', ['update', 'status', '--json'], { root: s.root });
    expect(JSON.parse(status.stdout)).toMatchObject({ update_state: 'Idle', staging_partition: null });
  });

  test.concurrent('a staged, bootable set is made unbootable before a later update writes into it', async () => {
    await using s = await updateSandbox();
    const entry = s.repo.targets.signed.targets[s.names.root]!;
    const tampered = readFileSync(join(s.repo.layout.targetsDir, `${entry.hashes.sha256}.${s.names.root}`));
    tampered[tampered.length - 20]! ^= 0x55; // the last block: every earlier block is written first
    let attacked = false;
    s.serve(path => (attacked && path.endsWith(s.names.root) ? new Response(tampered) : undefined));
    expect((await update(s)).code).toBe(0);
    // The starting point: set B holds a staged update and boots next.
    expect((await setView(s.sandbox, 'B')).flags).toEqual({ priority: 2, triesLeft: 1, successful: false });
    attacked = true;
    const again = await brkt('updog', ['update', '--image', '1.2.0', '--now'], { root: s.root });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Refusing target .*-root\.ext4\.lz4: SHA-256 [0-9a-f]{64} differs .* \(tampered target\)/);
    expect((await setView(s.sandbox, 'B')).flags).toEqual({ priority: 0, triesLeft: 0, successful: false });
    const reboot = await brkt('brkt', ['reboot'], { root: s.root });
    expect(reboot).toEqual({ code: 0, stdout: "Booted set A, version 1.0.0; 'brkt boot' starts it\n", stderr: '' });
  });

  test.concurrent('an image too large for its partition fails before any byte is written', async () => {
    await using s = await updateSandbox({ rootBytes: 17 * MiB }); // the sandbox root partitions hold 16 MiB
    s.serve();
    const state = await setView(s.sandbox, 'B');
    await refusedWithoutWriting(s, new RegExp(`Image ${s.names.root} \\(${17 * MiB} bytes decoded\\) does not fit partition .*p9 \\(${16 * MiB} bytes\\)`));
    expect(await setView(s.sandbox, 'B')).toEqual(state);
  });
});
