// The host containerd through Debian's `ctr` client. `ctr` already implements every containerd
// call host-ctr makes (pull, container create with OCI spec options, attached start, exec on a
// PTY with resize), so brkt drives it instead of carrying a gRPC client of its own.
import { randomBytes } from 'node:crypto';
import { BrktError } from '../core/errors';
import { runProcess } from './process';
import type { AttachedTask, ContainerRuntime, ContainerSpec, ExecOptions, ExecProcess, TaskStatus } from './container-types';

/** Upstream host-ctr's containerd namespace. */
const NAMESPACE = 'default';
const QUICK_MS = 60_000;

/** Registries on the loopback are reached over plain HTTP (as docker treats localhost). */
export function isLoopbackRegistry(reference: string): boolean {
  const host = reference.split('/')[0] ?? '';
  return /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
}

/**
 * `ctr run` arguments for a container spec. runc keeps its state in a root of this containerd's
 * own (under its state directory), so the containers of two host containerds on one machine
 * (a sandbox's and the host's) never share runc state.
 */
export function runArgs(spec: ContainerSpec, ownPid: number, runcRoot: string): string[] {
  const args = ['run', '--runc-root', runcRoot, '--net-host', '--snapshotter', 'overlayfs'];
  for (const mount of spec.mounts) {
    args.push('--mount', `type=bind,src=${mount.source},dst=${mount.destination},options=${mount.options.join(':')}`);
  }
  for (const variable of spec.env) args.push('--env', variable);
  // The host PID namespace is the one host-ctr runs in (systemd's, on a host).
  if (spec.hostPid) args.push('--with-ns', `pid:/proc/${ownPid}/ns/pid`);
  if (spec.privileged) args.push('--privileged', '--allow-new-privs');
  for (const capability of spec.capabilities) args.push('--cap-add', capability);
  if (spec.seccomp) args.push('--seccomp');
  if (spec.rootfsPropagation) args.push('--rootfs-propagation', spec.rootfsPropagation);
  args.push(spec.image, spec.id);
  return args;
}

const notFound = (stderr: string) => /not found|no such/i.test(stderr);

export function ctrRuntime(socket: string, stateDir: string): ContainerRuntime {
  const base = ['ctr', '--address', socket, '--namespace', NAMESPACE];
  const ctr = async (args: string[], options: { allowMissing?: boolean; timeoutMs?: number } = {}) => {
    const result = await runProcess([...base, ...args], { timeoutMs: options.timeoutMs ?? QUICK_MS });
    if (result.code !== 0 && !(options.allowMissing && notFound(result.stderr))) {
      const reason = result.timedOut ? 'timed out' : (result.stderr.trim().split('\n').pop() ?? '').replace(/^ctr: /, '') || `exit ${result.code}`;
      throw new BrktError(result.code === 127 ? 'unavailable' : 'io', `ctr ${args.slice(0, 2).join(' ')} failed: ${reason}`);
    }
    return result;
  };
  return {
    socket,
    async isActive() {
      // A connect, not `ctr version`: ctr waits 10 s for a socket nobody serves.
      try {
        const connection = await Bun.connect({ unix: socket, socket: { data() {}, error() {} } });
        connection.end();
        return true;
      } catch {
        return false;
      }
    },
    async hasImage(reference) {
      const { stdout } = await ctr(['images', 'ls', '-q']);
      return stdout.split('\n').includes(reference);
    },
    async pull(reference) {
      await ctr(['images', 'pull', ...(isLoopbackRegistry(reference) ? ['--plain-http'] : []), reference], { timeoutMs: 30 * 60_000 });
    },
    async containerImage(id) {
      const result = await ctr(['containers', 'info', id], { allowMissing: true });
      if (result.code !== 0) return undefined;
      return (JSON.parse(result.stdout) as { Image?: string }).Image ?? '';
    },
    async run(spec) {
      return attached([...base, ...runArgs(spec, process.pid, `${stateDir}/runc`)]);
    },
    async taskStatus(id) {
      const { stdout } = await ctr(['tasks', 'ls']);
      for (const line of stdout.split('\n').slice(1)) {
        const [task, , status] = line.trim().split(/\s+/);
        if (task === id) return (status ?? 'unknown').toLowerCase() as TaskStatus;
      }
      return undefined;
    },
    async startOrAttach(id, running) {
      return attached([...base, 'tasks', running ? 'attach' : 'start', id]);
    },
    async kill(id, signal) {
      await ctr(['tasks', 'kill', '--signal', signal, '--all', id], { allowMissing: true });
    },
    async deleteTask(id) {
      await ctr(['tasks', 'delete', '--force', id], { allowMissing: true });
    },
    async deleteContainer(id) {
      await ctr(['containers', 'delete', id], { allowMissing: true });
    },
    async exec(id, argv, options) {
      return startExec(base, id, argv, options);
    },
  };
}

/** Attached: the task's output is ours (the unit's journal), its exit status is ctr's. */
function attached(argv: string[]): AttachedTask {
  const proc = Bun.spawn(argv, { stdin: 'ignore', stdout: 'inherit', stderr: 'inherit' });
  return { exited: proc.exited };
}

async function startExec(base: string[], id: string, argv: string[], options: ExecOptions): Promise<ExecProcess> {
  const execId = `exec-${randomBytes(8).toString('hex')}`;
  const cmd = [...base, 'tasks', 'exec', '--exec-id', execId, ...(options.tty ? ['--tty'] : []), id, ...argv];
  const killInside = () => void runProcess([...base, 'tasks', 'kill', '--exec-id', execId, '--signal', 'SIGKILL', id], { timeoutMs: QUICK_MS });
  if (options.tty) {
    // ctr puts its own terminal in raw mode and passes its size on to the process on SIGWINCH.
    let endOfOutput!: () => void;
    const drained = new Promise<void>(resolve => (endOfOutput = resolve));
    const terminal = new Bun.Terminal({ rows: options.tty.rows, cols: options.tty.cols, data: (_terminal, data) => options.onOutput(data), exit: () => endOfOutput() });
    const proc = Bun.spawn(cmd, { terminal });
    return {
      write: data => void terminal.write(data),
      closeInput: () => void terminal.write(new Uint8Array([4])),
      resize: (rows, cols) => {
        terminal.resize(cols, rows);
        proc.kill('SIGWINCH'); // ctr is not the terminal's foreground process: tell it directly
      },
      kill: killInside,
      exited: proc.exited.then(async code => {
        // Output still in the terminal arrives before its end of file.
        await Promise.race([drained, Bun.sleep(1000)]);
        terminal.close();
        return code;
      }),
    };
  }
  const proc = Bun.spawn(cmd, { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' });
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) options.onOutput(chunk);
  };
  const drained = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
  return {
    write: data => {
      proc.stdin.write(data);
      void proc.stdin.flush();
    },
    closeInput: () => void proc.stdin.end(),
    resize: () => {},
    kill: killInside,
    exited: Promise.all([proc.exited, drained]).then(([code]) => code),
  };
}
