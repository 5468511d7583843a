// `brkt sheltie` and the `sheltie` role: a root shell (or one command) in the host's
// namespaces. Mirrors the admin container's sheltie script (see sheltie.md).
import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { writeErr, writeOut } from '../output';
import { reportError } from '../report';
import type { RoleRunner } from '../registry';
import type { Platform } from '../../platform/types';
import { NOT_ROOT_MESSAGE, isRoot, planHostSheltie, planSandboxSheltie, runAttached } from '../../platform/namespaces';
import { SHELTIE_USAGE, parseSheltieArgs } from './args';

/**
 * The whole of sheltie. `role` is true under the upstream name, where the not-root message
 * goes to stdout as the script prints it; `brkt sheltie` reports it on stderr like any failure.
 */
async function runSheltie(args: string[], shown: string, platform: Platform, role: boolean): Promise<number> {
  try {
    const options = parseSheltieArgs(args);
    if (options.help) {
      writeOut(SHELTIE_USAGE);
      return 0;
    }
    const env = process.env as Record<string, string | undefined>;
    // brkt: a sandbox is the caller's own directory, so it needs no privileges.
    if (platform.kind === 'host' && !isRoot() && !options.dryRun) {
      if (role) writeOut(NOT_ROOT_MESSAGE + '\n');
      else writeErr(`${shown}: ${NOT_ROOT_MESSAGE}\n`);
      return 1;
    }
    const plan = platform.kind === 'host'
      ? planHostSheltie(options.command, options.target, env, !options.dryRun)
      : planSandboxSheltie(platform.paths.root, options.command, env);
    if (options.dryRun) {
      writeOut(`${plan.cwd ? `cd ${shellQuote(plan.cwd)} && ` : ''}${plan.argv.map(shellQuote).join(' ')}\n`);
      return 0;
    }
    if (plan.note) writeErr(plan.note + '\n');
    const result = await runAttached(plan);
    if (result.error) writeErr(`${shown}: ${result.error}\n`);
    return result.code;
  } catch (error) {
    return reportError(shown, error);
  }
}

const shellQuote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

export class SheltieCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: "A root shell in the host's namespaces (or one command run there)",
    details: `Enters every namespace of PID 1 with nsenter and starts a shell, or runs the given command. It needs root in a privileged container that shares the host's PID namespace (the admin container). Options come before the command: --dry-run prints what would run, --target PID enters another process's namespaces. In a sandbox (--root DIR) there is nothing to enter: the shell or command runs in DIR with BRKT_ROOT set, and sheltie says so.`,
    examples: [
      ['Open a root shell on the host', '$0 sheltie'],
      ['Run one command in the host namespaces', '$0 sheltie journalctl -u kubelet --no-pager'],
      ['See what would run', '$0 sheltie --dry-run'],
    ],
  });
  args = Option.Proxy();

  async run() {
    return runSheltie(this.args, this.context.shown, this.platform, false);
  }
}

export const commands = [SheltieCommand];

// `brkt sheltie` arrives here too (a role name as the first word), shown as `brkt sheltie`.
export const runRole: RoleRunner = (args, { shown, platform }) => runSheltie(args, shown, platform, !shown.startsWith('brkt'));
