// A private containerd for a sandbox's host containers: its root, state and socket under the
// sandbox (the config brkt renders), stopped by pid when the scope ends, with its tasks first.
import { test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { hostContainerdConfig } from '../../src/core/host-containers/containerd-config';
import { hostPaths } from '../../src/platform/paths';
import { ctrRuntime } from '../../src/platform/ctr-runtime';
import type { ContainerRuntime } from '../../src/platform/container-types';

const TOOLS = ['containerd', 'ctr', 'runc', 'docker-registry', 'busybox'];
const reported = new Set<string>();

/** Why host-container tests cannot run here, or undefined when they can. */
function missing(): string | undefined {
  if (process.geteuid?.() !== 0) return 'they need root (containerd, runc, mounts)';
  const absent = TOOLS.filter(tool => !Bun.which(tool));
  return absent.length ? `${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} not installed` : undefined;
}

/** `test`, or skipped with a printed reason when not root or a tool is missing; under CI=true, failing. */
export function withContainerd(): typeof test {
  const reason = missing();
  if (!reason) return test;
  if (process.env.CI === 'true') {
    return ((name: string) => test(name, () => {
      throw new Error(`host container tests cannot run: ${reason}; .ci/run must install containerd, runc, docker-registry and busybox-static, as root`);
    })) as unknown as typeof test;
  }
  if (!reported.has(reason)) {
    reported.add(reason);
    console.warn(`skipping host container tests: ${reason}`);
  }
  return test.skip;
}

export interface HostContainerd extends AsyncDisposable {
  runtime: ContainerRuntime;
  ctr(...args: string[]): Promise<string>;
}

export async function startHostContainerd(root: string): Promise<HostContainerd> {
  const paths = hostPaths(root);
  await Bun.write(paths.hostContainerdConfig, hostContainerdConfig(paths));
  const proc = Bun.spawn(['containerd', '--config', paths.hostContainerdConfig], { stdout: 'ignore', stderr: 'pipe' });
  let log = '';
  void (async () => {
    for await (const chunk of proc.stderr) log += new TextDecoder().decode(chunk);
  })();
  const runtime = ctrRuntime(paths.hostContainerdSocket, paths.hostContainerdState);
  for (let i = 0; !(await runtime.isActive()); i++) {
    if (proc.exitCode !== null || i > 1000) throw new Error(`containerd did not start:\n${log}`);
    await Bun.sleep(10);
  }
  const ctr = async (...args: string[]) => {
    const result = Bun.spawnSync(['ctr', '--address', paths.hostContainerdSocket, '--namespace', 'default', ...args]);
    return result.stdout.toString() + result.stderr.toString();
  };
  return {
    runtime,
    ctr,
    async [Symbol.asyncDispose]() {
      // The sandbox's service manager started host-ctr processes: stop them (by their pid files).
      const pids = await Array.fromAsync(new Bun.Glob('run/brkt/units/*.pid').scan({ cwd: root, absolute: true }), async file => Number(await Bun.file(file).text()));
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          continue; // already gone
        }
        await eventually(async () => !isAlive(pid), `host-ctr ${pid} to stop`);
      }
      // Shims outlive containerd: end every task and container before stopping it.
      for (const line of (await ctr('tasks', 'ls', '-q')).split('\n').filter(Boolean)) await runtime.deleteTask(line);
      for (const line of (await ctr('containers', 'ls', '-q')).split('\n').filter(Boolean)) await runtime.deleteContainer(line);
      proc.kill('SIGTERM');
      await proc.exited;
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

/** Polls `check` (a containerd state change has no event the test could wait on) up to `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}
