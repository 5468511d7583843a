// `brkt logs` and the `logdog` role: collect diagnostics into one archive. Mirrors logdog's
// main.rs command line; brkt adds --since, --timeout, --json and progress lines.
import { isatty } from 'node:tty';
import { resolve } from 'node:path';
import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { writeErr, writeOut } from '../output';
import type { RoleRunner } from '../registry';
import { BrktError, messageOf } from '../../core/errors';
import { DEFAULT_TIMEOUT_MS, OUTPUT_FILENAME, collectLogs, type RequestEvent } from '../../core/logs/collect';
import { parseDuration, parseTimeoutSeconds } from '../../core/logs/since';
import type { Platform } from '../../platform/types';

/** `--timeout`, else BRKT_LOGS_TIMEOUT, else 30 s; `0` waits forever as upstream does. */
function chooseTimeout(platform: Platform, flag: string | undefined): number | undefined {
  if (flag !== undefined) return parseTimeoutSeconds(flag, '--timeout');
  const env = platform.env('BRKT_LOGS_TIMEOUT');
  return env !== undefined ? parseTimeoutSeconds(env, 'BRKT_LOGS_TIMEOUT') : DEFAULT_TIMEOUT_MS;
}

function progressLine(event: RequestEvent): string {
  const width = String(event.total).length;
  const status = event.error === undefined ? 'ok' : `failed: ${event.error}`;
  return `[${String(event.index + 1).padStart(width)}/${event.total}] ${event.request}: ${status} (${((event.ms ?? 0) / 1000).toFixed(2)}s)\n`;
}

export class LogsCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Collect logs, command outputs and redacted settings into bottlerocket-logs.tar.gz',
    details: `Runs logdog's requests (usr/share/logdog.d under the root, else a built-in list, plus drop-ins in etc/logdog.d) and writes one gzip-compressed tar with a bottlerocket-logs/ directory. Failed requests are listed in bottlerocket-logs/logdog.errors and do not stop the run; settings secrets are replaced by "REDACTED" and their keys listed in bottlerocket-logs/redactions. Each command gets --timeout seconds (default 30, 0 for none). On a terminal a progress line is printed per request.`,
    examples: [
      ['Write ./bottlerocket-logs.tar.gz', '$0 logs'],
      ['Only the last two hours of the journal, to a chosen file', '$0 logs --since 2h --output /tmp/host-logs.tar.gz'],
      ['Bundle a sandbox', '$0 --root ./sandbox logs --json'],
    ],
  });
  output = Option.String('--output', { description: `Archive to write (default: ./${OUTPUT_FILENAME})` });
  since = Option.String('--since', { description: 'Journal entries from this long ago on: 90m, 2h, 7d' });
  timeout = Option.String('--timeout', { description: 'Seconds each command may take (default 30, 0 for none)' });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  async run() {
    const timeoutMs = chooseTimeout(this.platform, this.timeout);
    const sinceSeconds = this.since === undefined ? undefined : parseDuration(this.since);
    const output = resolve(this.output ?? OUTPUT_FILENAME);
    const progress = !this.json && isatty(2);
    const result = await collectLogs(this.platform, {
      output,
      timeoutMs,
      sinceSeconds,
      onRequest: event => {
        if (progress && event.phase === 'done') writeErr(progressLine(event));
      },
    });
    if (this.json) {
      return this.outJson({ output: result.output, requests: result.requests, errors: result.errors, redactions: result.redactions, members: result.members });
    }
    this.out(`logs are at: ${result.output}\n`);
    if (result.errors.length) writeErr(`${result.errors.length} of ${result.requests} requests failed; see bottlerocket-logs/logdog.errors in the archive\n`);
  }
}

export const commands = [LogsCommand];

const LOGDOG_USAGE = (program: string) => `Usage: ${program}\n            [ --output PATH ]       where to write archived logs\n\n`;

/**
 * logdog's own command line: exactly one optional flag, `--output PATH`; anything else is
 * usage on stderr and exit 2. Console lines as upstream: `Checking:` (stderr) per request
 * file, `Running:` per request and `logs are at:` (stdout).
 */
export const runRole: RoleRunner = async (args, { shown, platform }) => {
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--output') {
      writeErr(LOGDOG_USAGE(shown));
      return 2;
    }
    output = args[++i];
    if (output === undefined) {
      writeErr(`Did not give argument to --output\n\n${LOGDOG_USAGE(shown)}`);
      return 2;
    }
  }
  const shownOutput = output ?? platform.paths.logdogOutput;
  try {
    const result = await collectLogs(platform, {
      output: resolve(shownOutput),
      timeoutMs: chooseTimeout(platform, undefined),
      onConfigFile: path => writeErr(`Checking: ${path}\n`),
      onRequest: event => {
        if (event.phase === 'start') writeOut(`Running: ${event.request}\n`);
      },
    });
    void result;
    writeOut(`logs are at: ${shownOutput}\n`);
    return 0;
  } catch (error) {
    // Upstream prints the error's message alone and exits 1.
    writeErr(`${error instanceof BrktError ? error.message : messageOf(error)}\n`);
    return 1;
  }
};
