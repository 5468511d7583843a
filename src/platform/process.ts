// Runs programs directly (argv, never a shell) with an optional timeout.
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
