// sheltie's host side: the root check, pre-flight checks on PID 1's namespaces, and running the
// shell or command attached to the terminal. Mirrors the admin container's `sheltie` script.
import { accessSync, constants, existsSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import { BrktError } from '../core/errors';

/** Upstream's message for a caller who is not root, word for word. */
export const NOT_ROOT_MESSAGE = "sheltie must be run as root, you can use 'sudo sheltie' in the admin container";

export interface SheltiePlan {
  argv: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Said on stderr before running (sandbox mode). */
  note?: string;
}

export const isRoot = () => process.geteuid?.() === 0;

/**
 * On a host: `nsenter -t TARGET -a -- CMD...`, or the shell when no command is given (the
 * admin container's static bash at /proc/PPID/root/opt/bin/bash when present, as upstream).
 * Pre-flight checks (skipped for a dry run) turn nsenter's cryptic failures into one clear line.
 */
export function planHostSheltie(args: string[], target: number, env: Record<string, string | undefined>, check = true): SheltiePlan {
  const nsenter = Bun.which('nsenter', { PATH: env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' }) ?? (check ? undefined : 'nsenter');
  if (!nsenter) throw new BrktError('not-found', `Cannot enter the host's namespaces: nsenter (util-linux) is not on PATH`);
  const mountNamespace = `/proc/${target}/ns/mnt`;
  try {
    if (check) readlinkSync(mountNamespace);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such process' : 'permission denied';
    throw new BrktError('io', `Cannot read ${mountNamespace}: ${reason}; sheltie needs a privileged container that shares the host's PID namespace`);
  }
  const command = args.length ? args : [hostShell(env)];
  return { argv: [nsenter, '-t', String(target), '-a', '--', ...command] };
}

function hostShell(env: Record<string, string | undefined>): string {
  if (env.SHELTIE_SHELL) return env.SHELTIE_SHELL;
  // The admin container's static bash, seen through procfs from the host's mount namespace.
  const adminBash = `/proc/${process.ppid}/root/opt/bin/bash`;
  return existsSync(adminBash) ? adminBash : '/bin/sh';
}

/**
 * In a sandbox there are no host namespaces to enter: the shell (or command) runs with the
 * root as its working directory and BRKT_ROOT set, so brkt commands inside act on the sandbox.
 */
export function planSandboxSheltie(root: string, args: string[], env: Record<string, string | undefined>): SheltiePlan {
  const shell = env.SHELTIE_SHELL ?? env.SHELL ?? '/bin/sh';
  const command = args.length ? args : [shell];
  return {
    argv: command,
    cwd: root,
    env: { ...env, BRKT_ROOT: root },
    note: `sheltie: ${root} is a sandbox: no host namespaces to enter; running ${args.length ? `'${args.join(' ')}'` : `a shell (${shell})`} in it`,
  };
}

/**
 * Runs the plan with the terminal attached and returns its exit status. As nsenter (and bash)
 * do: 127 when the program is not found, 126 when it cannot be run, 128+N after signal N.
 */
export async function runAttached(plan: SheltiePlan): Promise<{ code: number; error?: string }> {
  const [program = ''] = plan.argv;
  const path = plan.env?.PATH ?? process.env.PATH ?? '';
  const resolved = program.includes('/') ? program : Bun.which(program, { PATH: path, cwd: plan.cwd });
  if (!resolved || !existsSync(resolved)) return { code: 127, error: `failed to execute ${program}: No such file or directory` };
  try {
    accessSync(resolved, constants.X_OK);
  } catch {
    return { code: 126, error: `failed to execute ${program}: Permission denied` };
  }
  const proc = Bun.spawn({ cmd: plan.argv, cwd: plan.cwd, env: plan.env as Record<string, string> | undefined, stdin: 'inherit', stdout: 'inherit', stderr: 'inherit' });
  const code = await proc.exited;
  const signal = proc.signalCode ? os.constants.signals[proc.signalCode as keyof typeof os.constants.signals] : undefined;
  return { code: signal ? 128 + signal : code };
}
