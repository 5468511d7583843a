// `brkt update` and the `updog` role through the compiled binary: the dev init sandbox round
// trip (update, reboot, rollback), updog's outputs and exit codes, the state machine as the
// command line drives it, the andon cord, and a kill -9 in the middle of an image write.
import { describe, expect, test } from 'bun:test';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brkt, BRKT_BIN, testEnv } from '../helpers/brkt';
import { makeTempDir } from '../helpers/sandbox';
import { diskHash, MiB, rootHead, sandboxRepoUrls, setView, updateSandbox, writeUpdogToml } from './update-fixtures';

/** A sandbox made by the binary's own `brkt dev init`, its updog.toml pointing at its repo/. */
async function devInitSandbox(extraToml = '') {
  const dir = makeTempDir('brkt-update-');
  const root = dir.path('sandbox');
  expect((await brkt('brkt', ['dev', 'init', root])).code).toBe(0);
  const sandbox = { path: (rel: string) => join(root, rel) };
  writeUpdogToml(sandbox, sandboxRepoUrls(sandbox), extraToml);
  const run = (role: string, args: string[]) => brkt(role, args, { root });
  return Object.assign(dir, { sandbox: root, run, path: sandbox.path });
}

const flagsOf = async (root: string) => {
  const status = await brkt('brkt', ['signpost', 'status', '--json'], { root });
  return JSON.parse(status.stdout);
};

async function waitFor(condition: () => Promise<boolean> | boolean, what: string) {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('in a sandbox made by brkt dev init', () => {
  test.concurrent('check finds 1.2.0, update --now --reboot boots it, rollback && reboot returns to 1.0.0', async () => {
    await using s = await devInitSandbox();
    expect(await s.run('brkt', ['update', 'check'])).toEqual({ code: 0, stdout: 'Update available: aws-dev 1.2.0 (running 1.0.0)\n', stderr: '' });
    const json = await s.run('brkt', ['update', 'check', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ variant: 'aws-dev', version: '1.2.0', max_version: '1.2.0', waves: {} });

    const applied = await s.run('brkt', ['update', '--now', '--reboot']);
    expect(applied).toEqual({ code: 0, stdout: 'Update applied: aws-dev 1.2.0; it boots next\nRebooted: set B runs 1.2.0\n', stderr: '' });
    expect((await s.run('brkt', ['--version'])).stdout).toContain('(os 1.2.0, variant aws-dev');
    // What the next boot's migrator reads, and the metadata the update was verified with.
    expect(readdirSync(s.path('var/lib/bottlerocket-migrations'))).toEqual(['manifest.json']);
    expect(readdirSync(s.path('var/cache/bottlerocket-metadata'))).toContain('1.root.json');
    expect(await s.run('brkt', ['update', 'check'])).toEqual({ code: 1, stdout: '', stderr: 'brkt: No update available (running 1.2.0, variant aws-dev)\n' });
    // A reboot starts the update status afresh, as /run on a host.
    expect(JSON.parse((await s.run('brkt', ['update', 'status', '--json'])).stdout)).toMatchObject({ update_state: 'Idle', active_partition: { image: { version: '1.2.0' } }, most_recent_command: null });

    expect(await s.run('brkt', ['rollback'])).toMatchObject({ code: 0, stdout: 'Next boot: set A, version 1.0.0 (running: set B, version 1.2.0)\n' });
    expect(await s.run('brkt', ['reboot'])).toMatchObject({ code: 0, stdout: "Booted set A, version 1.0.0; 'brkt boot' starts it\n" });
    expect((await s.run('brkt', ['--version'])).stdout).toContain('(os 1.0.0, variant aws-dev');
  });

  test.concurrent('update, status, cancel and update again drive the state machine', async () => {
    await using s = await devInitSandbox();
    expect(await s.run('brkt', ['update', '--now'])).toEqual({ code: 0, stdout: "Update applied: aws-dev 1.2.0; it boots next (run 'brkt reboot')\n", stderr: '' });
    const ready = JSON.parse((await s.run('brkt', ['update', 'status', '--json'])).stdout);
    expect(ready).toMatchObject({
      update_state: 'Ready',
      available_updates: ['1.2.0', '1.1.0'],
      chosen_update: { version: '1.2.0', variant: 'aws-dev' },
      active_partition: { image: { version: '1.0.0' }, next_to_boot: false },
      staging_partition: { image: { version: '1.2.0' }, next_to_boot: true },
      most_recent_command: { cmd_type: 'activate', cmd_status: 'Success', exit_status: 0 },
      paused: false,
    });
    const text = await s.run('brkt', ['update', 'status']);
    expect(text.stdout).toMatch(/^State: +Ready\nRunning: +1\.0\.0 \(aws-dev, (x86_64|aarch64)\)\nAvailable: +1\.2\.0, 1\.1\.0\nChosen: +1\.2\.0\nStaged: +1\.2\.0 \(aws-dev, .*\), boots next\nLast command: activate Success at .*Z\n$/);
    expect((await flagsOf(s.sandbox)).next).toBe('B');

    expect(await s.run('brkt', ['update', 'cancel'])).toEqual({ code: 0, stdout: 'Canceled: 1.0.0 boots next; 1.2.0 stays staged\n', stderr: '' });
    expect((await flagsOf(s.sandbox)).next).toBe('A');
    expect(JSON.parse((await s.run('brkt', ['update', 'status', '--json'])).stdout).update_state).toBe('Staged');
    const again = await s.run('brkt', ['update', 'cancel']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('brkt: Nothing to cancel: no update is applied and waiting for a reboot (Update action not allowed according to update state: deactivate is not allowed in state Staged)\n');

    expect((await s.run('brkt', ['update', '--now'])).stdout).toBe("Update applied: aws-dev 1.2.0; it boots next (run 'brkt reboot')\n");
    expect(await s.run('brkt', ['update', '--now'])).toEqual({ code: 0, stdout: "Update already applied: aws-dev 1.2.0; it boots next (run 'brkt reboot')\n", stderr: '' });
  });

  test.concurrent('--image installs exactly the version asked for', async () => {
    await using s = await devInitSandbox();
    expect((await s.run('brkt', ['update', '--image', '1.1.0'])).stdout).toBe("Update applied: aws-dev 1.1.0; it boots next (run 'brkt reboot')\n");
    expect((await s.run('brkt', ['reboot'])).stdout).toBe("Booted set B, version 1.1.0; 'brkt boot' starts it\n");
    const missing = await s.run('brkt', ['update', '--image', '9.9.9']);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'brkt: Update 9.9.9 is not available for aws-dev ' + (process.arch === 'arm64' ? 'aarch64' : 'x86_64') + ' in the repository\n' });
    const bad = await s.run('brkt', ['update', '--image', 'v1']);
    expect(bad).toEqual({ code: 2, stdout: '', stderr: "brkt: Invalid --image version 'v1': not a SemVer version (MAJOR.MINOR.PATCH)\n" });
  });

  test.concurrent('settings.updates.paused: check reports, nothing is staged or activated, status says why', async () => {
    await using s = await devInitSandbox('paused = true');
    const before = diskHash({ path: s.path });
    expect((await s.run('brkt', ['update', 'check'])).stdout).toBe('Update available: aws-dev 1.2.0 (running 1.0.0); updates are paused (settings.updates.paused), so it will not be applied\n');
    expect((await s.run('updog', ['check-update'])).stdout).toBe('aws-dev 1.2.0\n');
    const refused = await s.run('brkt', ['update', '--now', '--reboot']);
    const message = 'Updates are paused (settings.updates.paused is true): not staging an update; set it to false to continue';
    expect(refused).toEqual({ code: 1, stdout: '', stderr: `brkt: ${message}\n` });
    expect(await s.run('updog', ['update', '-n'])).toEqual({ code: 1, stdout: '', stderr: 'Updates are paused (settings.updates.paused is true): not applying an update; set it to false to continue\n' });
    expect(diskHash({ path: s.path })).toBe(before);
    const status = await s.run('brkt', ['update', 'status']);
    expect(status.stdout).toContain('State:        Available\n');
    expect(status.stdout).toContain(`Last command: prepare Failed at `);
    expect(status.stdout).toContain(`              ${message}\n`);
    expect(status.stdout).toContain('Paused:       yes (settings.updates.paused): checks report, but nothing is staged or activated\n');
  });
});

describe('the updog role', () => {
  test.concurrent("check-update, update-image, update-apply, update-revert and update: upstream's outputs and exit codes", async () => {
    await using s = await devInitSandbox();
    const arch = JSON.parse((await s.run('updog', ['check-update', '--json'])).stdout).arch;
    expect(await s.run('updog', ['check-update'])).toEqual({ code: 0, stdout: 'aws-dev 1.2.0\n', stderr: '' });
    expect(await s.run('updog', ['whats', '--all'])).toEqual({ code: 0, stdout: '', stderr: 'aws-dev 1.2.0\naws-dev 1.1.0\n' });
    const all = await s.run('updog', ['-a', 'check-update', '-j']);
    expect(JSON.parse(all.stdout).map((u: { version: string }) => u.version)).toEqual(['1.2.0', '1.1.0']);
    expect(all.stdout).toStartWith('[\n  {\n    "variant": "aws-dev",\n    "arch": ');
    expect(await s.run('updog', ['check-update', '-i', '1.1.0'])).toEqual({ code: 0, stdout: 'aws-dev 1.1.0\n', stderr: '' });

    expect(await s.run('updog', ['update-image', '-i', '1.1.0', '-n', '--reboot'])).toEqual({ code: 0, stdout: 'Update applied: aws-dev 1.1.0\n', stderr: 'Starting update to 1.1.0\n' });
    let flags = await flagsOf(s.sandbox);
    expect(flags.sets.B).toMatchObject({ priority: 0, triesLeft: 1, successful: false });
    expect(await s.run('updog', ['update-apply'])).toEqual({ code: 0, stdout: '', stderr: '' });
    flags = await flagsOf(s.sandbox);
    expect([flags.sets.A.priority, flags.sets.B.priority, flags.next]).toEqual([1, 2, 'B']);
    expect(await s.run('updog', ['update-revert'])).toEqual({ code: 0, stdout: '', stderr: '' });
    flags = await flagsOf(s.sandbox);
    expect([flags.sets.A.priority, flags.sets.B.priority, flags.next]).toEqual([2, 0, 'A']);

    const json = await s.run('updog', ['update', '--now', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ variant: 'aws-dev', arch, version: '1.2.0' });
    expect((await s.run('brkt', ['reboot'])).stdout).toBe("Booted set B, version 1.2.0; 'brkt boot' starts it\n");
    expect(await s.run('updog', ['update'])).toEqual({ code: 0, stdout: '', stderr: 'No update required\n' });
    expect(await s.run('updog', ['check-update'])).toEqual({ code: 1, stdout: '', stderr: 'No update available\n' });
    expect(await s.run('updog', ['prepare'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test.concurrent('usage errors, config errors and a bad version lock exit 1 with one line', async () => {
    await using s = await devInitSandbox();
    const usage = await s.run('updog', []);
    expect([usage.code, usage.stdout]).toEqual([1, '']);
    expect(usage.stderr).toStartWith('USAGE:\n    updog <SUBCOMMAND> <OPTIONS>\n');
    expect(usage.stderr).toContain('[ -t | --timestamp time ]');
    const timestamp = await s.run('updog', ['update-image', '-t', '2024-01-01T00:00:00Z']);
    expect([timestamp.code, timestamp.stderr.split('\n')[0]]).toEqual([1, 'USAGE:']);
    const badImage = await s.run('updog', ['update', '-i', 'one']);
    expect([badImage.code, badImage.stderr.split('\n')[0]]).toEqual([1, "Invalid image version 'one'"]);
    expect((await s.run('brkt', ['updog', 'nope'])).stderr).toStartWith('USAGE:\n    brkt updog <SUBCOMMAND>');

    writeFileSync(s.path('etc/updog.toml'), readFileSync(s.path('etc/updog.toml'), 'utf8').replace('version_lock = "latest"', 'version_lock = "1.0"'));
    const lock = await s.run('updog', ['check-update']);
    expect(lock).toEqual({ code: 1, stdout: '', stderr: "Bad version string '1.0' in config: not 'latest' or a SemVer version\n" });
    writeFileSync(s.path('etc/updog.toml'), readFileSync(s.path('etc/updog.toml'), 'utf8').replace('version_lock = "1.0"', 'version_lock = "v1.1.0"'));
    expect((await s.run('updog', ['check-update'])).stdout).toBe('aws-dev 1.1.0\n');
    writeFileSync(s.path('etc/updog.toml'), 'seed = 1\n');
    expect(await s.run('updog', ['check-update'])).toEqual({ code: 1, stdout: '', stderr: `Failed to parse config file ${s.path('etc/updog.toml')}: metadata_base_url is missing\n` });
    expect(await s.run('brkt', ['updog', 'update-revert'])).toEqual({ code: 1, stdout: '', stderr: `brkt updog: Failed to parse config file ${s.path('etc/updog.toml')}: metadata_base_url is missing\n` });
  });

  test.concurrent('every request carries the query parameters of updates.md 1.3', async () => {
    await using s = await updateSandbox();
    const served = s.serve();
    const result = await brkt('updog', ['update', '-n'], { root: s.root });
    expect(result).toMatchObject({ code: 0, stdout: 'Update applied: aws-dev 1.2.0\n' });
    const image = served.requests.find(path => path.includes(s.names.root))!;
    expect(image).toEndWith(`.${s.names.root}?migrations=manifest.json&seed=1234&target=1.2.0&version=1.0.0`);
    expect(served.requests[0]).toBe('/metadata/2.root.json?seed=1234&version=1.0.0');
    expect(served.requests.every(path => path.includes('seed=1234&') && path.endsWith('version=1.0.0'))).toBe(true);
  });
});

describe('a kill -9 while an image is written', () => {
  test.concurrent('leaves the new set unbootable: the sandbox bootloader still boots the old set, and a new update works', async () => {
    await using s = await updateSandbox({ rootBytes: 12 * MiB });
    const entry = s.repo.targets.signed.targets[s.names.root]!;
    const image = readFileSync(join(s.repo.layout.targetsDir, `${entry.hashes.sha256}.${s.names.root}`));
    // The first 6 MiB (more than one 4 MiB LZ4 block), then the connection stalls.
    s.serve(path => path.includes(s.names.root) ? new Response(new ReadableStream({
      start(controller) {
        controller.enqueue(image.subarray(0, 6 * MiB));
      },
    })) : undefined);
    const active = await setView(s.sandbox, 'A');
    const proc = Bun.spawn({ cmd: [BRKT_BIN, 'update', '--now'], env: { ...testEnv, BRKT_ROOT: s.root }, stdout: 'pipe', stderr: 'pipe' });
    // Written: the first block of the 1.2.0 root image, header included, is on set B.
    await waitFor(async () => (await rootHead(s.sandbox, 'B')).startsWith('#!brkt-sandbox-root'), 'the first root block on set B');
    proc.kill('SIGKILL');
    expect(await proc.exited).toBe(137);

    expect((await setView(s.sandbox, 'B')).flags).toEqual({ priority: 0, triesLeft: 0, successful: false });
    expect(await setView(s.sandbox, 'A')).toEqual(active);
    // The lock died with the process; the status shows the refresh before the prepare that never finished.
    expect(JSON.parse((await brkt('brkt', ['update', 'status', '--json'], { root: s.root })).stdout)).toMatchObject({ update_state: 'Available', most_recent_command: { cmd_type: 'refresh' } });
    expect(await brkt('brkt', ['reboot'], { root: s.root })).toEqual({ code: 0, stdout: "Booted set A, version 1.0.0; 'brkt boot' starts it\n", stderr: '' });

    s.serve();
    expect((await brkt('brkt', ['update', '--now', '--reboot'], { root: s.root })).stdout).toBe('Update applied: aws-dev 1.2.0; it boots next\nRebooted: set B runs 1.2.0\n');
    expect(existsSync(join(s.root, 'etc/os-release')) && readFileSync(join(s.root, 'etc/os-release'), 'utf8')).toContain('VERSION_ID=1.2.0');
  });
});
