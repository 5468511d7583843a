// The shell lines a fleet command asks each host to run (through AWS-RunShellScript's
// `commands` parameter), and the reading of what the hosts answer.
import { BrktError } from '../errors';

/** Programs a host understands by name: brkt itself and the upstream tools it is linked as. */
const HOST_PROGRAMS = new Set(['brkt', 'apiclient', 'updog', 'signpost', 'logdog']);

/** Quotes one word for a POSIX shell; plain words stay as they are, for readable SSM history. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_\-.,:=/@%+]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export const shellLine = (words: string[]) => words.map(shellQuote).join(' ');

/**
 * `brkt fleet run -- settings get motd` runs `brkt settings get motd` on each host; arguments
 * that already start with a host program (`apiclient set motd=x`) are sent as they are.
 */
export function remoteCommandLine(args: string[]): string {
  if (args.length === 0 || args.every(arg => arg.trim() === '')) {
    throw new BrktError('usage', 'Empty command: give the command to run after --, e.g. -- settings get motd');
  }
  return shellLine(HOST_PROGRAMS.has(args[0]!) ? args : ['brkt', ...args]);
}

/**
 * `brkt fleet settings set motd=hi`: `apiclient set motd=hi` on each host. apiclient is what
 * upstream hosts and brkt hosts (through its apiclient link) both understand.
 */
export function settingsSetCommandLine(pairs: string[]): string {
  if (pairs.length === 0) throw new BrktError('usage', 'No settings: give KEY=VALUE pairs, e.g. motd=hello');
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new BrktError('usage', `Invalid setting '${pair}': expected KEY=VALUE`);
  }
  return shellLine(['apiclient', 'set', ...pairs]);
}

/** The update each wave runs: waves of the update repository are ignored, the rollout has its own. */
export function updateCommandLine(version?: string): string {
  return shellLine(['brkt', 'update', '--now', '--reboot', ...(version ? ['--image', version] : [])]);
}

/** The follow-up command that reports the running version: `{"os":{"version_id":"1.2.0",...}}`. */
export const VERSION_COMMAND_LINE = 'apiclient get os';

/**
 * The version a host reported: `os.version_id` of `apiclient get os`'s JSON, else a bare
 * version on the first line (for a custom `--version-command` such as reading os-release).
 */
export function parseReportedVersion(output: string): string | undefined {
  const start = output.indexOf('{');
  if (start >= 0) {
    try {
      const end = output.lastIndexOf('}');
      const doc = JSON.parse(output.slice(start, end + 1)) as { os?: { version_id?: unknown } };
      if (typeof doc.os?.version_id === 'string') return doc.os.version_id;
    } catch {
      // Not one JSON document (mixed with log lines): fall back to the pattern below.
    }
    return /"version_id"\s*:\s*"([^"]+)"/.exec(output)?.[1];
  }
  const line = firstLine(output);
  return /^v?[0-9]+\.[0-9]+\.[0-9]+([-+.][0-9A-Za-z.-]+)?$/.test(line) ? line.replace(/^v/, '') : undefined;
}

// SSM's plugin output puts stderr after this marker line.
const ERROR_MARKER = '----------ERROR-------';

/**
 * The first non-empty line of a plugin's output (its stdout, else its stderr). Output that is
 * one JSON document (`settings get`) is shown compacted instead: its first line is just `{`.
 */
export function firstLine(output: string): string {
  const trimmed = output.trim();
  if (/^[{[]/.test(trimmed)) {
    try {
      return JSON.stringify(JSON.parse(trimmed));
    } catch {
      // Not JSON after all: the first line, as for any other output.
    }
  }
  for (const line of output.split('\n')) {
    const text = line.trim();
    if (text !== '' && text !== ERROR_MARKER) return text;
  }
  return '';
}
