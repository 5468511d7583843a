// sheltie's command line: brkt's options first (`--dry-run`, `--target PID`), then the command
// to run, as upstream's `sheltie CMD ARGS...`. The first word that is not an option ends them.
import { BrktError } from '../../core/errors';

export interface SheltieArgs {
  dryRun: boolean;
  target: number;
  help: boolean;
  command: string[];
}

export function parseSheltieArgs(args: string[]): SheltieArgs {
  const parsed: SheltieArgs = { dryRun: false, target: 1, help: false, command: [] };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '--dry-run') parsed.dryRun = true;
    else if (arg === '-h' || arg === '--help') parsed.help = true;
    else if (arg === '--target' || arg.startsWith('--target=')) {
      const value = arg === '--target' ? args[++i] : arg.slice('--target='.length);
      if (value === undefined || !/^[1-9]\d*$/.test(value)) throw new BrktError('usage', `Invalid --target '${value ?? ''}': give a process id`);
      parsed.target = Number(value);
    } else break;
  }
  parsed.command = args.slice(i);
  return parsed;
}

export const SHELTIE_USAGE = `Usage: sheltie [--dry-run] [--target PID] [--] [COMMAND [ARGS...]]

Starts a root shell in every namespace of PID 1 (the host's), or runs COMMAND there.
In a sandbox (--root DIR) it runs the shell or COMMAND in DIR instead, and says so.

  --dry-run      print the command that would run, and exit
  --target PID   enter the namespaces of PID instead of 1
`;
