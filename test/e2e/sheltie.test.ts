// sheltie end to end: the sandbox shell and command, the root check, and nsenter on the host.
import { describe, expect, test } from 'bun:test';
import { chmodSync, symlinkSync } from 'node:fs';
import { brkt, BRKT_BIN, testEnv } from '../helpers/brkt';
import { makeSandbox, makeTempDir } from '../helpers/sandbox';
import { asRoot, isRoot, withTool } from '../helpers/tools';
import { NOT_ROOT_MESSAGE } from '../../src/platform/namespaces';

describe('in a sandbox', () => {
  test.concurrent('a command runs in the root, and sheltie says there are no namespaces to enter', async () => {
    await using sandbox = await makeSandbox();
    expect(await brkt('brkt', ['sheltie', 'pwd'], { root: sandbox.root })).toEqual({
      stdout: `${sandbox.root}\n`,
      stderr: `sheltie: ${sandbox.root} is a sandbox: no host namespaces to enter; running 'pwd' in it\n`,
      code: 0,
    });
  });

  test.concurrent('with no command it starts a shell in the root with BRKT_ROOT set; its exit status is ours', async () => {
    await using sandbox = await makeSandbox();
    const result = await brkt('sheltie', [], { root: sandbox.root, env: { SHELTIE_SHELL: '/bin/sh' }, stdin: 'pwd\necho "root=$BRKT_ROOT"\nexit 3\n' });
    expect(result).toEqual({
      stdout: `${sandbox.root}\nroot=${sandbox.root}\n`,
      stderr: `sheltie: ${sandbox.root} is a sandbox: no host namespaces to enter; running a shell (/bin/sh) in it\n`,
      code: 3,
    });
  });

  test.concurrent.each([
    [['sh', '-c', 'exit 7'], 7, ''],
    [['--', 'no-such-command-for-brkt'], 127, 'sheltie: failed to execute no-such-command-for-brkt: No such file or directory\n'],
  ])('sheltie %p exits %p', async (args, code, error) => {
    await using sandbox = await makeSandbox();
    const result = await brkt('sheltie', args, { root: sandbox.root });
    expect(result.code).toBe(code);
    expect(result.stderr.split('\n').slice(1).join('\n')).toBe(error);
  });

  test.concurrent('--dry-run shows the command and runs nothing', async () => {
    await using sandbox = await makeSandbox();
    expect(await brkt('sheltie', ['--dry-run', 'touch', 'marker'], { root: sandbox.root })).toEqual({
      stdout: `cd ${sandbox.root} && touch marker\n`,
      stderr: '',
      code: 0,
    });
  });
});

describe('on the host (root /)', () => {
  /** Runs `cmd` as nobody when we are root (as ourselves otherwise: already not root). */
  async function asNonRoot(cmd: string[]) {
    const proc = Bun.spawn({
      cmd: isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...cmd] : cmd,
      env: { ...testEnv, HOME: '/' },
      stdout: 'pipe',
      stderr: 'pipe',
      stdin: 'ignore',
    });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { stdout, stderr, code };
  }

  withTool('setpriv').concurrent('not root: one line saying so, exit 1', async () => {
    expect(await asNonRoot([BRKT_BIN, 'sheltie'])).toEqual({ stdout: '', stderr: `brkt sheltie: ${NOT_ROOT_MESSAGE}\n`, code: 1 });
  });

  withTool('setpriv').concurrent('through a link named sheltie the line goes to stdout, as the upstream script prints it', async () => {
    await using dir = makeTempDir();
    chmodSync(dir.root, 0o755); // nobody must reach the link
    symlinkSync(BRKT_BIN, dir.path('sheltie'));
    expect(await asNonRoot([dir.path('sheltie')])).toEqual({ stdout: `${NOT_ROOT_MESSAGE}\n`, stderr: '', code: 1 });
  });

  withTool('nsenter').concurrent('--dry-run prints the nsenter command for PID 1', async () => {
    const nsenter = Bun.which('nsenter')!;
    expect(await brkt('sheltie', ['--dry-run'], { env: { SHELTIE_SHELL: '/bin/bash' } })).toEqual({ stdout: `${nsenter} -t 1 -a -- /bin/bash\n`, stderr: '', code: 0 });
    expect(await brkt('sheltie', ['--dry-run', 'journalctl', '-u', 'kubelet'])).toEqual({ stdout: `${nsenter} -t 1 -a -- journalctl -u kubelet\n`, stderr: '', code: 0 });
  });

  asRoot(withTool('nsenter')).concurrent("runs the command in a target's namespaces and passes its exit status on", async () => {
    // Our own process as the target: entering namespaces we are already in needs root, nothing more.
    const target = String(process.pid);
    expect(await brkt('sheltie', ['--target', target, 'sh', '-c', 'echo inside; exit 5'])).toEqual({ stdout: 'inside\n', stderr: '', code: 5 });
  });

  asRoot().concurrent('a target without namespaces to read is one clear line, exit 1', async () => {
    expect(await brkt('brkt', ['sheltie', '--target', '999999999', 'true'])).toEqual({
      stdout: '',
      stderr: `brkt sheltie: Cannot read /proc/999999999/ns/mnt: no such process; sheltie needs a privileged container that shares the host's PID namespace\n`,
      code: 1,
    });
  });

  test.concurrent.each([
    [['--target'], `brkt sheltie: Invalid --target '': give a process id\n`],
    [['--target', 'abc'], `brkt sheltie: Invalid --target 'abc': give a process id\n`],
  ])('brkt sheltie %p is usage, exit 2', async (args, stderr) => {
    expect(await brkt('brkt', ['sheltie', ...args])).toEqual({ stdout: '', stderr, code: 2 });
  });
});
