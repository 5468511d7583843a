// Runs programs directly (argv, never a shell) with an optional timeout.
import { BrktError } from '../core/errors';
import type { ExecOptions, ExecResult } from './types';

export async function runProcess(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn({
      cmd: argv,
      cwd: options.cwd,
      env: options.env,
      stdin: options.input === undefined ? 'ignore' : new TextEncoder().encode(options.input),
      stdout: 'pipe',
      stderr: 'pipe',
    });
  } catch (error) {
    // A missing program is a result, not a crash: callers report it like any failed command.
    return { code: 127, stdout: '', stderr: `${argv[0]}: ${(error as Error).message}\n`, timedOut: false };
  }
  let timedOut = false;
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
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
