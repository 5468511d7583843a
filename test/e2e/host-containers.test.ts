// Host containers on a real containerd: a private host containerd per sandbox, images built
// from busybox-static and served by docker-registry on 127.0.0.1, a serving `brkt boot`.
import { afterAll, beforeAll, describe, expect } from 'bun:test';
import { existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { brkt, BRKT_BIN, testEnv } from '../helpers/brkt';
import { spawnBoot, type BootProcess } from '../helpers/boot-process';
import { makeSandbox, type Sandbox } from '../helpers/sandbox';
import { adminImage, buildImage, startRegistry, type Registry } from '../helpers/oci-image';
import { eventually, startHostContainerd, withContainerd, type HostContainerd } from '../helpers/host-containerd';

const test = withContainerd();
const enabled = test !== (test.skip as unknown);

let registry: Registry;
let sandbox: Sandbox;
let containerd: HostContainerd;
let boot: BootProcess;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  if (!enabled) return;
  registry = await startRegistry();
  await registry.push('admin', 'v1', await adminImage('1'));
  await registry.push('admin', 'v2', await adminImage('2'));
  await registry.push('boot-ok', 'v1', await buildImage(['sh', '-c', 'cd /.bottlerocket/bootstrap-containers/current && cat user-data > seen && echo run >> runs']));
  await registry.push('boot-fail', 'v1', await buildImage(['sh', '-c', 'echo failing; exit 3']));
  sandbox = await makeSandbox();
  containerd = await startHostContainerd(sandbox.root);
  boot = spawnBoot(sandbox.root, ['--serve']);
  await boot.waitForLine('boot: serving the API');
});

afterAll(async () => {
  if (!enabled) return;
  for (const cleanup of cleanups.reverse()) await cleanup();
  boot.child.kill('SIGTERM');
  await boot.finished;
  await containerd[Symbol.asyncDispose]();
  await sandbox[Symbol.asyncDispose]();
  await registry[Symbol.asyncDispose]();
});

const set = async (...pairs: string[]) => {
  const result = await brkt('brkt', ['settings', 'set', ...pairs], { root: sandbox.root });
  expect(result).toMatchObject({ code: 0, stderr: '' });
};
const taskStatus = () => containerd.runtime.taskStatus('admin');
const apiclientExec = (args: string[], stdin?: string) => brkt('apiclient', ['exec', ...args], { root: sandbox.root, stdin });
/** Whether `command` runs in the admin container (not counting the apiclient and ctr that started it). */
const runsInAdmin = async (command: string) =>
  (await apiclientExec(['admin', 'ps', '-o', 'args'])).stdout.split('\n').some(line => line.trim() === command);

describe('the admin container', () => {
  test('enabling it starts a task with storage, user data, the API socket and read-only support logs', async () => {
    await set(`host-containers.admin.source=${registry.host}/admin:v1`, 'host-containers.admin.user-data=aGVsbG8gYWRtaW4K', 'host-containers.admin.enabled=true');
    await eventually(async () => (await taskStatus()) === 'running', 'the admin task');
    const storage = sandbox.path('local/host-containers/admin');
    expect(statSync(storage).mode & 0o777).toBe(0o700);
    expect(readFileSync(`${storage}/user-data`, 'utf8')).toBe('hello admin\n');
    expect(readFileSync(sandbox.path('etc/host-containers/admin.env'), 'utf8')).toStartWith(`CTR_SUPERPOWERED=true\nCTR_SOURCE=${registry.host}/admin:v1\n`);
    expect(readlinkSync(sandbox.path('etc/systemd/system/multi-user.target.wants/host-containers@admin.service'))).toBe('/usr/lib/systemd/system/host-containers@.service');
    const inside = await apiclientExec(['admin', 'sh', '-c', [
      'cat /.bottlerocket/host-containers/current/user-data',
      'test -S /run/api.sock && echo api-socket',
      'test -x /usr/local/bin/apiclient && echo apiclient',
      'touch /.bottlerocket/support/x 2>/dev/null || echo support-read-only',
      'echo kept > /.bottlerocket/host-containers/admin/note',
      'readlink /proc/self/ns/net',
    ].join('; ')]);
    expect(inside).toEqual({ stdout: `hello admin\napi-socket\napiclient\nsupport-read-only\n${readlinkSync('/proc/self/ns/net')}\n`, stderr: '', code: 0 });
  });

  test('superpowered: sheltie in it enters the host namespaces through the host PID namespace', async () => {
    // PID 1's namespaces are refused even to root on some machines (a sandboxed PID 1); then
    // any host process shows the same: this test process, in the host's namespaces.
    let target = 1;
    try {
      readlinkSync('/proc/1/ns/mnt');
    } catch {
      target = process.pid;
      console.warn(`sheltie test: /proc/1/ns is not readable here; entering the namespaces of host pid ${target} instead`);
    }
    const hostMount = readlinkSync(`/proc/${target}/ns/mnt`);
    const result = await apiclientExec(['admin', 'sh', '-c', `readlink /proc/self/ns/mnt; SHELTIE_TARGET=${target} sheltie readlink /proc/self/ns/mnt; ls /.bottlerocket/rootfs/etc/os-release`]);
    const [own, entered, rootfs] = result.stdout.trim().split('\n');
    expect({ code: result.code, entered, rootfs }).toEqual({ code: 0, entered: hostMount, rootfs: '/.bottlerocket/rootfs/etc/os-release' });
    expect(own).not.toBe(hostMount);
  });

  test('apiclient exec without a TTY: output, stdin, ContentComplete and the exit code', async () => {
    expect(await apiclientExec(['--no-tty', 'admin', '--', 'sh', '-c', 'cat; echo err >&2; exit 7'], 'from stdin\n')).toEqual({ stdout: 'from stdin\nerr\n', stderr: '', code: 7 });
    expect(await apiclientExec(['admin', 'cat', '/etc/os-release'])).toEqual({ stdout: 'NAME="brkt test admin"\nVERSION_ID=1\n', stderr: '', code: 0 });
  });

  test('apiclient exec on a terminal: raw input, a resize reaches the process, exit code; a second client alongside', async () => {
    let screen = '';
    const terminal = new Bun.Terminal({ rows: 30, cols: 100, data: (_terminal, data) => (screen += new TextDecoder().decode(data)) });
    const script = 'read a; stty size; while read b; do stty size; [ "$b" = q ] && exit 5; done';
    const client = Bun.spawn([BRKT_BIN, 'exec', 'admin', 'sh', '-c', script], { argv0: 'apiclient', env: { ...testEnv, BRKT_ROOT: sandbox.root }, terminal });
    await eventually(() => runsInAdmin(`sh -c ${script}`), 'the exec process');
    // ctr gives the process its terminal size just after starting it: ask until it is there.
    await eventually(async () => {
      terminal.write('one\r');
      await Bun.sleep(50);
      return screen.includes('30 100');
    }, 'the first size');
    // A second client while the first one is attached.
    expect(await apiclientExec(['admin', 'echo', 'second'])).toEqual({ stdout: 'second\n', stderr: '', code: 0 });
    terminal.resize(120, 40);
    client.kill('SIGWINCH'); // what the kernel sends a terminal's foreground process on a resize
    // The resize travels client -> server -> ctr -> the process; ask until it has arrived.
    await eventually(async () => {
      terminal.write('again\r');
      await Bun.sleep(50);
      return screen.includes('40 120');
    }, 'the new size');
    terminal.write('q\r');
    expect(await client.exited).toBe(5);
    terminal.close();
    expect(screen).toContain('one');
    expect(screen.indexOf('30 100')).toBeLessThan(screen.indexOf('40 120'));
  });

  test('the /exec protocol: OsString arguments, Capacity every 128 writes, exit code in a Normal close', async () => {
    const ws = new WebSocket(`ws+unix://${sandbox.path('run/api.sock')}:/exec`);
    ws.binaryType = 'arraybuffer';
    let output = '';
    const capacities: number[] = [];
    const closed = new Promise<{ code: number; reason: string }>(resolve => (ws.onclose = event => resolve({ code: event.code, reason: event.reason })));
    ws.onmessage = event => {
      if (typeof event.data === 'string') capacities.push(JSON.parse(event.data).Capacity.messages_written);
      else output += new TextDecoder().decode(event.data as ArrayBuffer);
    };
    await new Promise(resolve => (ws.onopen = resolve));
    const arg = (text: string) => ({ Unix: Array.from(new TextEncoder().encode(text)) });
    ws.send(JSON.stringify({ Initialize: { command: [arg('sh'), arg('-c'), arg('wc -c; exit 3')], target: 'admin', tty: null } }));
    for (let i = 0; i < 300; i++) ws.send(new TextEncoder().encode('x'));
    ws.send(JSON.stringify('ContentComplete'));
    expect(await closed).toEqual({ code: 1000, reason: '3' });
    expect({ output: output.trim(), capacities }).toEqual({ output: '300', capacities: [128, 256] });
  });

  test('/exec refuses data before Initialize and an unknown target, with the reason in the close frame', async () => {
    const attempt = async (first: string | Uint8Array) => {
      const ws = new WebSocket(`ws+unix://${sandbox.path('run/api.sock')}:/exec`);
      const closed = new Promise<{ code: number; reason: string }>(resolve => (ws.onclose = event => resolve({ code: event.code, reason: event.reason })));
      await new Promise(resolve => (ws.onopen = resolve));
      ws.send(first);
      return closed;
    };
    expect(await attempt(new Uint8Array([1]))).toEqual({ code: 1008, reason: 'data before Initialize' });
    expect(await attempt(JSON.stringify({ Initialize: { command: ['ls'], target: 'nope', tty: null } }))).toEqual({ code: 1011, reason: "Target 'nope' is not a running host container" });
    expect(await apiclientExec(['nope', 'ls'])).toEqual({ stdout: '', stderr: "Failed to exec in 'nope': Target 'nope' is not a running host container\n", code: 1 });
  });

  test('a client that stops answering pings has its process ended', async () => {
    const client = Bun.spawn([BRKT_BIN, 'exec', 'admin', 'sleep', '4242'], { argv0: 'apiclient', env: { ...testEnv, BRKT_ROOT: sandbox.root }, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' });
    await eventually(() => runsInAdmin('sleep 4242'), 'sleep 4242 in the container');
    client.kill('SIGSTOP');
    await eventually(async () => !(await runsInAdmin('sleep 4242')), 'the dead client\'s process to end', 30_000);
    client.kill('SIGKILL');
    await client.exited;
  });

  test('storage persists across disable and enable; changing source replaces the container', async () => {
    await set('host-containers.admin.enabled=false');
    expect(await taskStatus()).toBeUndefined();
    expect(await containerd.runtime.containerImage('admin')).toBeUndefined();
    expect(existsSync(sandbox.path('etc/systemd/system/multi-user.target.wants'))).toBe(true);
    expect(() => readlinkSync(sandbox.path('etc/systemd/system/multi-user.target.wants/host-containers@admin.service'))).toThrow();
    await set('host-containers.admin.enabled=true');
    await eventually(async () => (await taskStatus()) === 'running', 'the admin task again');
    expect(await apiclientExec(['admin', 'cat', '/.bottlerocket/host-containers/admin/note'])).toEqual({ stdout: 'kept\n', stderr: '', code: 0 });
    await set(`host-containers.admin.source=${registry.host}/admin:v2`);
    await eventually(async () => (await containerd.runtime.containerImage('admin')) === `${registry.host}/admin:v2` && (await taskStatus()) === 'running', 'admin from v2');
    expect((await apiclientExec(['admin', 'cat', '/etc/os-release'])).stdout).toContain('VERSION_ID=2');
  });
});

describe('bootstrap containers', () => {
  test('once runs at the next boot and turns itself off; always stays on; neither runs twice in one boot', async () => {
    await set(
      `bootstrap-containers.first.source=${registry.host}/boot-ok:v1`, 'bootstrap-containers.first.mode=once', 'bootstrap-containers.first.user-data=Zmlyc3QK',
      `bootstrap-containers.every.source=${registry.host}/boot-ok:v1`, 'bootstrap-containers.every.mode=always', 'bootstrap-containers.every.user-data=ZXZlcnkK',
    );
    expect(readFileSync(sandbox.path('etc/bootstrap-containers/first.env'), 'utf8')).toBe(`CTR_SOURCE=${registry.host}/boot-ok:v1\nCTR_MODE=once\n`);
    expect(readFileSync(sandbox.path('etc/systemd/system/bootstrap-containers@first.service.d/overrides.conf'), 'utf8')).toBe('[Install]\nWantedBy=configured.target\n');
    expect((await brkt('brkt', ['reboot'], { root: sandbox.root })).code).toBe(0);
    await boot.waitForLine('boot: configured.target', 2);
    expect(boot.lines.find(line => line.text.startsWith('boot: configured.target'))).toBeDefined();
    expect(boot.lines.filter(line => line.text.startsWith('boot: configured.target')).at(-1)!.text).toBe('boot: configured.target: 2 bootstrap containers run');
    expect(readFileSync(sandbox.path('local/bootstrap-containers/first/seen'), 'utf8')).toBe('first\n');
    expect(readFileSync(sandbox.path('local/bootstrap-containers/every/seen'), 'utf8')).toBe('every\n');
    const modes = await brkt('brkt', ['settings', 'get', 'bootstrap-containers'], { root: sandbox.root });
    expect(modes.stdout).toContain('bootstrap-containers.first.mode=off\n');
    expect(modes.stdout).toContain('bootstrap-containers.every.mode=always\n');
    await boot.waitForLine('boot: serving the API', 2);
    expect((await brkt('brkt', ['reboot'], { root: sandbox.root })).code).toBe(0);
    await boot.waitForLine('boot: serving the API', 3);
    expect(readFileSync(sandbox.path('local/bootstrap-containers/every/runs'), 'utf8')).toBe('run\nrun\n');
    expect(readFileSync(sandbox.path('local/bootstrap-containers/first/runs'), 'utf8')).toBe('run\n');
    expect(await containerd.runtime.containerImage('boot.every')).toBeUndefined();
  });

  test('a failing essential bootstrap container fails the boot before configured.target', async () => {
    await using other = await makeSandbox();
    await using otherContainerd = await startHostContainerd(other.root);
    writeFileSync(other.path('var/lib/bottlerocket/user-data.toml'), [
      '[settings.bootstrap-containers.must]',
      `source = "${registry.host}/boot-fail:v1"`,
      'mode = "always"',
      'essential = true',
      '[settings.bootstrap-containers.may]',
      `source = "${registry.host}/boot-fail:v1"`,
      'mode = "always"',
      '',
    ].join('\n'));
    const result = await brkt('brkt', ['boot'], { root: other.root });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('boot: settings-applier: ');
    expect(result.stdout).toContain('boot: configured.target: bootstrap container may failed (not essential): bootstrap-containers@may.service failed');
    expect(result.stdout).not.toContain('boot: mark-successful-boot');
    expect(result.stderr).toContain('Boot failed at configured.target: essential bootstrap container must failed: bootstrap-containers@must.service failed');
    expect(readFileSync(other.path('etc/systemd/system/bootstrap-containers@must.service.d/overrides.conf'), 'utf8')).toBe('[Install]\nRequiredBy=configured.target\n');
    expect(otherContainerd.runtime).toBeDefined();
  });
});
