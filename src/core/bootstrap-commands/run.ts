// bootstrap-commands (settings-now.md 7): after settings-applier, the entries of
// /etc/bootstrap-commands/bootstrap-commands.toml run in name order, each command an apiclient
// call made by this brkt in its apiclient role, without a shell. A `once` entry turns itself off
// after all its commands succeed; a failure is logged and, for an essential entry, stops the boot.
import { parse as parseToml } from 'smol-toml';
import { BrktError, messageOf } from '../errors';
import type { Platform } from '../../platform/types';

export const BOOTSTRAP_COMMANDS_FILE = '/etc/bootstrap-commands/bootstrap-commands.toml';

export type BootstrapMode = 'off' | 'once' | 'always';

export interface BootstrapCommandEntry {
  name: string;
  commands: string[][];
  mode: BootstrapMode;
  essential: boolean;
}

export interface BootstrapReport {
  /** Entries whose commands all succeeded. */
  ran: string[];
  /** Non-essential entries that failed (logged); an essential failure throws instead. */
  failed: string[];
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(item => typeof item === 'string');

/** The entries of the rendered file, in lexicographic name order (byte order, as upstream's BTreeMap). */
export function parseBootstrapCommands(text: string): BootstrapCommandEntry[] {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new BrktError('invalid-input', `${BOOTSTRAP_COMMANDS_FILE} is not valid TOML: ${messageOf(error).split('\n')[0]}`);
  }
  const table = (document['bootstrap-commands'] ?? {}) as Record<string, Record<string, unknown>>;
  return Object.keys(table).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(name => {
    const entry = table[name]!;
    const commands = entry.commands ?? [];
    if (!Array.isArray(commands) || !commands.every(isStringList)) throw new BrktError('invalid-input', `bootstrap-commands.${name}.commands must be a list of argument lists`);
    const mode = entry.mode ?? 'off';
    if (mode !== 'off' && mode !== 'once' && mode !== 'always') throw new BrktError('invalid-input', `bootstrap-commands.${name}.mode must be off, once or always`);
    return { name, commands, mode, essential: entry.essential === true };
  });
}

/** Runs one apiclient call as brkt's own apiclient role on this root; the argv never meets a shell. */
async function runApiclient(platform: Platform, argv: string[]) {
  if (argv[0] !== 'apiclient') throw new BrktError('invalid-input', `not an apiclient command: ${JSON.stringify(argv)}`);
  const self = platform.bundleIo.selfCommand;
  return platform.exec([...self, '--root', platform.paths.root, 'apiclient', ...argv.slice(1)]);
}

/** Runs the entries of the rendered file; nothing to do when the file is missing. */
export async function runBootstrapCommands(platform: Platform, log: (line: string) => void): Promise<BootstrapReport | undefined> {
  const text = await platform.files.readTextIfExists(platform.path(BOOTSTRAP_COMMANDS_FILE));
  if (text === undefined) return undefined;
  const report: BootstrapReport = { ran: [], failed: [] };
  for (const entry of parseBootstrapCommands(text)) {
    if (entry.mode === 'off') continue;
    let failure: string | undefined;
    for (const argv of entry.commands) {
      try {
        const result = await runApiclient(platform, argv);
        if (result.code !== 0 || result.timedOut) {
          const detail = result.stderr.trim().split('\n').at(-1);
          failure = `'${argv.join(' ')}' exited with ${result.code}${detail ? `: ${detail}` : ''}`;
        }
      } catch (error) {
        failure = `'${argv.join(' ')}' could not run: ${messageOf(error)}`;
      }
      if (failure) break;
    }
    if (!failure && entry.mode === 'once') {
      const off = ['apiclient', 'set', `settings.bootstrap-commands.${entry.name}.mode=off`];
      const result = await runApiclient(platform, off);
      if (result.code !== 0) failure = `could not turn the once entry off: '${off.join(' ')}' exited with ${result.code}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`;
    }
    if (!failure) {
      log(`bootstrap-commands: ${entry.name}: ran ${entry.commands.length} command${entry.commands.length === 1 ? '' : 's'}${entry.mode === 'once' ? ', mode set to off' : ''}`);
      report.ran.push(entry.name);
      continue;
    }
    if (entry.essential) throw new BrktError('io', `essential bootstrap command ${entry.name} failed: ${failure}`);
    log(`bootstrap-commands: ${entry.name} failed: ${failure}`);
    report.failed.push(entry.name);
  }
  return report;
}
