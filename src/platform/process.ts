// Runs programs directly (argv, never a shell) with an optional timeout; what /proc says of a process.
import { promises as fs } from 'node:fs';
import { BrktError } from '../core/errors';
import type { ExecOptions, ExecResult } from './types';

export async function runProcess(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const timed = options.timeoutMs !== undefined;
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn({
      cmd: argv,
      cwd: options.cwd,
      env: options.env,
      stdin: options.input === undefined ? 'ignore' : new TextEncoder().encode(options.input),
      stdout: 'pipe',
      stderr: 'pipe',
      // With a timeout, its own process group: what the program started dies with it, and no
      // left-behind child keeps the output pipes (and this call) open.
      detached: timed,
    });
  } catch (error) {
    // A missing program is a result, not a crash: callers report it like any failed command.
    return { code: 127, stdout: '', stderr: `${argv[0]}: ${(error as Error).message}\n`, timedOut: false };
  }
  let timedOut = false;
  const timer = !timed ? undefined : setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      proc.kill('SIGKILL'); // the group is gone already; the child itself may not be
    }
  }, options.timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout as ReadableStream).text(),
    new Response(proc.stderr as ReadableStream).text(),
    proc.exited,
  ]);
  if (timer) clearTimeout(timer);
  return { code, stdout, stderr, timedOut };
}

/** kill(pid, signal): false when the process does not exist. */
export function signalProcess(pid: number, signal: 'SIGHUP' | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM' && signal === 0) return true;
    throw new BrktError('io', `Failed to signal process ${pid}: ${(error as Error).message}`, { cause: error });
  }
}

/** `/proc/<pid>/cmdline` split at its NULs; undefined when the process is gone or unreadable. */
export async function processArgv(pid: number): Promise<string[] | undefined> {
  try {
    const text = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return text.split('\0').slice(0, text.endsWith('\0') ? -1 : undefined);
  } catch {
    return undefined;
  }
}

/**
 * True when `/proc/locks` lists a FLOCK held by `pid` on the file `identity` names. Lines read
 * `1: FLOCK  ADVISORY  WRITE 21526 fe:00:2162792 0 EOF`: the device as hex major:minor, then
 * the inode.
 */
export async function processHoldsLock(pid: number, identity: { dev: number; ino: number }): Promise<boolean> {
  const major = Math.floor(identity.dev / 256) & 0xfff;
  const minor = (identity.dev & 0xff) | (Math.floor(identity.dev / 4096) & ~0xff & 0xfffff);
  const text = await fs.readFile('/proc/locks', 'utf8');
  return text.split('\n').some(line => {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== 'FLOCK' || fields[4] !== String(pid)) return false;
    const [maj, min, ino] = (fields[5] ?? '').split(':');
    return parseInt(maj!, 16) === major && parseInt(min!, 16) === minor && ino === String(identity.ino);
  });
}
