// Runs the compiled binary, under any role name, and captures everything it says.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// BRKT_BIN lets parallel work build and test its own binary without replacing dist/brkt.
export const BRKT_BIN = process.env.BRKT_BIN ?? join(import.meta.dir, '../../dist/brkt');

if (!existsSync(BRKT_BIN)) {
  throw new Error(`${BRKT_BIN} is missing: run 'npm run build' (npm test builds it first)`);
}

export const testEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  TMPDIR: process.env.TMPDIR ?? '/tmp',
  NO_COLOR: '1',
  TZ: 'UTC',
};

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  root?: string;
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
  /** Run through a real file of this path (a link) instead of setting argv0. */
  bin?: string;
}

/** `role` becomes argv0, the way a link named after the role would start brkt. */
export async function brkt(role: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const env = { ...testEnv, ...(options.root ? { BRKT_ROOT: options.root } : {}), ...options.env };
  const proc = Bun.spawn({
    cmd: [options.bin ?? BRKT_BIN, ...args],
    argv0: options.bin ? undefined : role,
    env,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? 'ignore' : new TextEncoder().encode(options.stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, code };
}
