// Health-gated boots through the compiled binary on a serving sandbox: a new version that fails
// a check is not marked successful and the sandbox falls back to the old one by itself; a
// passing check marks the new set, which is not judged again.
import { expect, test } from 'bun:test';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeSandbox, type Sandbox } from '../helpers/sandbox';

/** A check script under the sandbox root; it sees the root as $BRKT_ROOT. */
function writeCheck(sandbox: Sandbox, name: string, body: string): string {
  mkdirSync(sandbox.path('checks'), { recursive: true });
  const path = sandbox.path(`checks/${name}`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const setChecks = (sandbox: Sandbox, checks: object, extra: object = {}) =>
  brkt('brkt', ['settings', 'set', '--json', JSON.stringify({ 'boot-health': { checks, ...extra } })], { root: sandbox.root });

const flags = async (sandbox: Sandbox) => (await brkt('brkt', ['signpost', 'status'], { root: sandbox.root })).stdout.match(/^Set [AB]:.*$/gm)!.map(line => line.replace(/^(Set [AB]:).* (priority=.*)$/, '$1 $2'));

test('a check that fails only on the new version: the sandbox falls back and status names the check', async () => {
  await using sandbox = await makeSandbox({ userData: true });
  await using served = spawnBoot(sandbox.root, ['--serve']);
  await served.waitForLine('boot: serving the API on');
  const script = writeCheck(sandbox, 'version', '. "$BRKT_ROOT/etc/os-release"\necho "running $VERSION_ID"\n[ "$VERSION_ID" = 1.0.0 ] || { echo "$VERSION_ID is not trusted" >&2; exit 3; }');
  expect(await setChecks(sandbox, { version: { command: [script] } })).toEqual({ stdout: '', stderr: '', code: 0 });

  expect((await brkt('brkt', ['update', '--now', '--reboot'], { root: sandbox.root })).code).toBe(0);
  await served.waitForLine('reboot: booted set A, version 1.0.0');
  await served.waitForLine('boot: serving the API on', 2);
  const output = served.output();
  expect(output).toContain('reboot: booted set B, version 1.2.0');
  expect(output).toContain("boot: mark-successful-boot: set B not marked successful: version 1.2.0 (set B) failed check 'version': failed (exit 3); rebooting");
  expect((await brkt('brkt', ['--version'], { root: sandbox.root })).stdout).toContain('(os 1.0.0, variant aws-dev');
  expect(await flags(sandbox)).toEqual(['Set A: priority=1 tries_left=0 successful=true', 'Set B: priority=2 tries_left=0 successful=false']);

  const status = await brkt('brkt', ['update', 'status'], { root: sandbox.root });
  expect(status.stdout).toMatch(/^Boot health: {2}version 1\.2\.0 \(set B\) failed check 'version' \(exit 3\) at \S+; rolled back/m);
  const json = JSON.parse((await brkt('brkt', ['update', 'status', '--json'], { root: sandbox.root })).stdout);
  expect(json.boot_health_failure).toEqual({ version: '1.2.0', set: 'B', check: 'version', outcome: 'failed', exit_status: 3, timestamp: expect.any(String) });
  expect(Object.keys(json).slice(0, 6)).toEqual(['update_state', 'available_updates', 'chosen_update', 'active_partition', 'staging_partition', 'most_recent_command']);

  // apiclient's status document and GET /updates/status carry the same member.
  const check = await brkt('apiclient', ['update', 'check'], { root: sandbox.root });
  expect(check.code).toBe(0);
  expect(JSON.parse(check.stdout).boot_health_failure).toMatchObject({ version: '1.2.0', check: 'version', exit_status: 3 });
  const raw = await brkt('brkt', ['api', '-u', '/updates/status'], { root: sandbox.root });
  expect(JSON.parse(raw.stdout).boot_health_failure).toMatchObject({ version: '1.2.0', check: 'version' });

  const health = JSON.parse((await brkt('brkt', ['boot', 'health', '--json'], { root: sandbox.root })).stdout);
  expect(health).toMatchObject({ set: 'B', version: '1.2.0', outcome: 'failed', checks: [{ name: 'version', command: [script], outcome: 'failed', exitStatus: 3, outputTail: ['running 1.2.0', '1.2.0 is not trusted'] }] });
  const text = await brkt('brkt', ['boot', 'health'], { root: sandbox.root });
  expect(text.stdout).toContain('failed, not marked successful; rebooted into the other set\n  version  failed (exit 3) in ');
  expect(text.stdout).toEndWith('    | running 1.2.0\n    | 1.2.0 is not trusted\n');
  served.child.kill('SIGTERM');
  expect(await served.child.exited).toBe(0);
});

test('a passing check marks the new set, which stays and is not judged again', async () => {
  await using sandbox = await makeSandbox({ userData: true });
  await using served = spawnBoot(sandbox.root, ['--serve']);
  await served.waitForLine('boot: serving the API on');
  const runs = sandbox.path('check-runs');
  const script = writeCheck(sandbox, 'count', 'echo run >> "$BRKT_ROOT/check-runs"');
  expect((await setChecks(sandbox, { count: { command: [script], 'timeout-seconds': 30 } })).code).toBe(0);
  const describe = await brkt('brkt', ['settings', 'describe', 'boot-health.checks.count.timeout-seconds'], { root: sandbox.root });
  expect(describe.stdout).toContain('rule:              1..3600\ndescription:       A check still running after this many seconds has failed; 1..3600, default 60\n');
  expect(describe.stdout).toContain('current:           30\n');
  const schema = JSON.parse((await brkt('brkt', ['settings', 'schema'], { root: sandbox.root })).stdout);
  expect(schema.properties['boot-health'].properties['window-seconds']).toMatchObject({ type: 'integer', minimum: 1, maximum: 3600, default: 300 });

  expect((await brkt('brkt', ['update', '--now', '--reboot'], { root: sandbox.root })).code).toBe(0);
  const marked = await served.waitForLine('boot: mark-successful-boot: set B marked successful after 1 boot health check passed in');
  await served.waitForLine('boot: serving the API on', 2);
  expect(marked.text).toMatch(/passed in (\d+ ms|\d+\.\d\d s)$/);
  expect((await brkt('brkt', ['--version'], { root: sandbox.root })).stdout).toContain('(os 1.2.0, variant aws-dev');
  expect(await flags(sandbox)).toEqual(['Set A: priority=1 tries_left=0 successful=true', 'Set B: priority=2 tries_left=0 successful=true']);
  expect(readFileSync(runs, 'utf8')).toBe('run\n');
  expect(JSON.parse((await brkt('brkt', ['boot', 'health', '--json'], { root: sandbox.root })).stdout)).toMatchObject({ set: 'B', version: '1.2.0', outcome: 'passed' });
  expect(JSON.parse((await brkt('brkt', ['update', 'status', '--json'], { root: sandbox.root })).stdout).boot_health_failure).toBeUndefined();

  // Marked sets are not judged again: even a check that now fails does not move it.
  writeCheck(sandbox, 'count', 'echo run >> "$BRKT_ROOT/check-runs"; exit 1');
  expect((await brkt('brkt', ['reboot'], { root: sandbox.root })).code).toBe(0);
  await served.waitForLine('boot: serving the API on', 3);
  expect(served.lines.filter(line => line.text.startsWith('boot: mark-successful-boot')).map(line => line.text).at(-1)).toBe('boot: mark-successful-boot: set B marked successful');
  expect((await brkt('brkt', ['--version'], { root: sandbox.root })).stdout).toContain('(os 1.2.0, variant aws-dev');
  expect(readFileSync(runs, 'utf8')).toBe('run\n');
  served.child.kill('SIGTERM');
  expect(await served.child.exited).toBe(0);
});

test('a hanging check: its timeout and the window are honoured, and the boot falls back', async () => {
  await using sandbox = await makeSandbox({ userData: true });
  await using served = spawnBoot(sandbox.root, ['--serve']);
  await served.waitForLine('boot: serving the API on');
  const checks = {
    hangs: { command: ['/bin/sh', '-c', 'echo waiting; sleep 600'], 'timeout-seconds': 1 },
    'hangs-longer': { command: ['/bin/sh', '-c', 'sleep 600'], 'timeout-seconds': 600 },
  };
  expect((await setChecks(sandbox, checks, { 'window-seconds': 2 })).code).toBe(0);

  expect((await brkt('brkt', ['update', '--now', '--reboot'], { root: sandbox.root })).code).toBe(0);
  const booted = await served.waitForLine('reboot: booted set B, version 1.2.0');
  const fellBack = await served.waitForLine('reboot: booted set A, version 1.0.0');
  await served.waitForLine('boot: serving the API on', 2);
  // The window (2 s) bounds the whole judgement even though one check allows itself 600 s.
  expect(fellBack.at - booted.at).toBeGreaterThanOrEqual(2000);
  expect(fellBack.at - booted.at).toBeLessThan(60_000);
  const health = JSON.parse((await brkt('brkt', ['boot', 'health', '--json'], { root: sandbox.root })).stdout);
  expect(health.checks.map((c: { name: string; outcome: string; stoppedBy: string; exitStatus: number | null }) => [c.name, c.outcome, c.stoppedBy, c.exitStatus])).toEqual([
    ['hangs', 'timed-out', 'timeout', null],
    ['hangs-longer', 'timed-out', 'window', null],
  ]);
  expect(health.checks[0].durationMs).toBeLessThan(2000);
  expect(health.checks[1].durationMs).toBeGreaterThanOrEqual(2000);
  expect(health.checks[0].outputTail).toEqual(['waiting']);
  const status = await brkt('brkt', ['update', 'status'], { root: sandbox.root });
  expect(status.stdout).toContain("Boot health:  version 1.2.0 (set B) failed check 'hangs' (timed out)");
  served.child.kill('SIGTERM');
  expect(await served.child.exited).toBe(0);
});

test('a boot without --serve falls back and boots the old set in the same run', async () => {
  await using sandbox = await makeSandbox({ userData: true });
  const userData = sandbox.path('var/lib/bottlerocket/user-data.toml');
  writeFileSync(userData, `${readFileSync(userData, 'utf8')}\n[settings.boot-health.checks.never]\ncommand = ["/bin/false"]\n`);
  expect((await brkt('brkt', ['boot'], { root: sandbox.root })).code).toBe(0);
  // Set A was marked successful when the image was built: its first boot is not judged.
  expect(await brkt('brkt', ['boot', 'health'], { root: sandbox.root })).toEqual({ stdout: 'No boot health checks have run: they run on the first boot of a new partition set when settings.boot-health.checks are set\n', stderr: '', code: 0 });
  expect((await brkt('brkt', ['boot', 'health', '--json'], { root: sandbox.root })).stdout).toBe('null\n');
  expect((await brkt('brkt', ['update', '--now'], { root: sandbox.root })).code).toBe(0);
  expect((await brkt('brkt', ['reboot'], { root: sandbox.root })).stdout).toBe("Booted set B, version 1.2.0; 'brkt boot' starts it\n");

  const boot = await brkt('brkt', ['boot'], { root: sandbox.root });
  expect(boot.code).toBe(0);
  const steps = boot.stdout.split('\n').filter(line => /^(boot: (bootloader|mark-successful-boot)|reboot):/.test(line));
  expect(steps).toEqual([
    'boot: bootloader: set B, version 1.2.0',
    "boot: mark-successful-boot: set B not marked successful: version 1.2.0 (set B) failed check 'never': failed (exit 1); rebooting",
    'reboot: booted set A, version 1.0.0',
    'boot: bootloader: set A, version 1.0.0',
    'boot: mark-successful-boot: set A marked successful',
  ]);
  expect((await brkt('brkt', ['--version'], { root: sandbox.root })).stdout).toContain('(os 1.0.0, variant aws-dev');
});
