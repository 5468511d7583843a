// Running qemu for `brkt dev vm`: the accelerator probe (KVM when a guest kernel really starts
// under it, else TCG), the daemonized machine, QMP commands and the serial console socket.
import { connect } from 'node:net';
import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BrktError } from '../../core/errors';
import type { Accel } from '../../core/vm/qemu-args';
import { cached, sha256Text } from './cache';
import { requireTool, run } from './tools';

/** The pid in `pidFile` when that process is alive. */
export async function runningPid(pidFile: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  if (!text || !Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('qemu-system') ? pid : undefined;
}

const PROBE_MARK = 'brkt-kvm-probe-ok';

/**
 * KVM when `/dev/kvm` exists and a guest kernel reaches its init under it within 30 s (nested
 * KVM can hang before the kernel starts); the answer is cached per kernel and qemu version.
 */
export async function chooseAccel(cache: string, vmlinuz: string, kernelDigest: string, log: (line: string) => void, env = process.env): Promise<Accel> {
  const forced = env.BRKT_VM_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return forced;
  const hasKvm = await readFile('/dev/kvm').then(() => true, error => (error as NodeJS.ErrnoException).code !== 'ENOENT');
  if (!hasKvm) {
    log('notice: no /dev/kvm; the VM runs under TCG (emulation), which is slower');
    return 'tcg';
  }
  const qemuVersion = await run(['qemu-system-x86_64', '--version']);
  const entry = await cached(join(cache, 'kvm-probe'), sha256Text(kernelDigest, qemuVersion).slice(0, 16), async temp => {
    await writeFile(temp, (await probeKvm(vmlinuz)) ? 'kvm\n' : 'tcg\n');
  });
  const accel = (await readFile(entry.path, 'utf8')).trim() as Accel;
  if (accel === 'tcg') log('notice: a guest kernel does not start under KVM here; the VM runs under TCG (emulation), which is slower');
  return accel;
}

async function probeKvm(vmlinuz: string): Promise<boolean> {
  const busybox = requireTool('busybox');
  const dir = join(tmpdir(), `brkt-kvm-probe-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  try {
    await mkdir(join(dir, 'tree/bin'), { recursive: true });
    await run(['cp', busybox, join(dir, 'tree/bin/busybox')]);
    for (const applet of ['sh', 'echo', 'poweroff']) await symlink('busybox', join(dir, 'tree/bin', applet));
    await writeFile(join(dir, 'tree/init'), `#!/bin/sh\necho ${PROBE_MARK}\npoweroff -f\n`);
    await chmod(join(dir, 'tree/init'), 0o755);
    await run(['sh', '-c', 'cd "$1" && find . | cpio -o -H newc --quiet > "$2"', 'sh', join(dir, 'tree'), join(dir, 'probe.cpio')]);
    const proc = Bun.spawn({
      cmd: ['qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host', '-m', '256', '-display', 'none', '-nic', 'none', '-no-reboot',
        '-serial', 'stdio', '-kernel', vmlinuz, '-initrd', join(dir, 'probe.cpio'), '-append', 'console=ttyS0 panic=-1 quiet'],
      stdout: 'pipe', stderr: 'ignore', stdin: 'ignore',
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    const output = await new Response(proc.stdout).text();
    clearTimeout(timer);
    await proc.exited;
    return output.includes(PROBE_MARK);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Starts qemu daemonized; resolves once it has written its pid file. */
export async function startQemu(argv: string[]): Promise<void> {
  requireTool('qemu-system-x86_64');
  await run(argv);
}

/** Sends one QMP command (after the capabilities handshake); resolves with its `return`. */
export function qmp(socket: string, command: string, args?: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let buffer = '';
    let stage: 'greeting' | 'capabilities' | 'command' = 'greeting';
    const fail = (error: Error) => {
      conn.destroy();
      reject(new BrktError('unavailable', `QMP ${command} on ${socket} failed: ${error.message}`, { cause: error }));
    };
    conn.on('error', fail);
    conn.on('close', () => {
      // `quit` closes the connection before (or instead of) answering.
      if (stage === 'command' && command === 'quit') resolve(undefined);
      else if (stage !== 'command') fail(new Error('connection closed'));
    });
    conn.on('data', data => {
      buffer += data.toString('utf8');
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        const message = JSON.parse(line) as { QMP?: unknown; return?: unknown; error?: { desc: string }; event?: string };
        if (message.event) continue;
        if (message.error) return fail(new Error(message.error.desc));
        if (stage === 'greeting' && message.QMP) {
          stage = 'capabilities';
          conn.write(JSON.stringify({ execute: 'qmp_capabilities' }) + '\n');
        } else if (stage === 'capabilities' && 'return' in message) {
          stage = 'command';
          conn.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) }) + '\n');
        } else if (stage === 'command' && 'return' in message) {
          conn.end();
          resolve(message.return);
        }
      }
    });
  });
}

/** Resolves when process `pid` has exited (it is not our child: polled). */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await Bun.sleep(100);
  }
}
