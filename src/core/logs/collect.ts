// `brkt logs` / logdog: run every request into a scratch directory, record failures in
// logdog.errors, then write the archive. Mirrors logdog's main.rs (collect_logs, run_inner).
import { dirname, join } from 'node:path';
import type { Platform } from '../../platform/types';
import { BrktError, messageOf } from '../errors';
import { loadRequests } from './config';
import { runRequest } from './handlers';
import { parseRequest } from './request';
import { writeTarGz, type ExternalFile } from './tarball';

export const ERRORS_FILE = 'logdog.errors';
export const REDACTIONS_FILE = 'redactions';
export const OUTPUT_FILENAME = 'bottlerocket-logs.tar.gz';
/** brkt: every exec, http and settings request gets this long unless told otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface RequestEvent {
  index: number;
  total: number;
  /** The request line, as upstream's `Running:` line shows it. */
  request: string;
  phase: 'start' | 'done';
  /** On `done`: the error line's message, when the request failed. */
  error?: string;
  ms?: number;
}

export interface CollectOptions {
  /** Absolute path of the archive to write; missing parent directories are created. */
  output: string;
  /** Per request; `undefined` waits forever, as upstream does. */
  timeoutMs?: number;
  /** `--since`: journal requests get only this many seconds back. */
  sinceSeconds?: number;
  /** Request lines to run instead of the root's request files (tests, `--request`). */
  requests?: string[];
  onConfigFile?: (path: string) => void;
  onRequest?: (event: RequestEvent) => void;
}

export interface CollectResult {
  output: string;
  requests: number;
  /** The lines of logdog.errors, without their newlines. */
  errors: string[];
  /** Dotted keys whose values were redacted. */
  redactions: string[];
  members: string[];
}

/**
 * Runs the requests and writes the bundle. A failing request is a line in logdog.errors; only
 * the bundle's own plumbing (scratch directory, errors file, request directory, archive) throws.
 */
export async function collectLogs(platform: Platform, options: CollectOptions): Promise<CollectResult> {
  const io = platform.bundleIo;
  const lines = options.requests ?? (await loadRequests(platform, options.onConfigFile)).lines;
  let scratch: string;
  try {
    scratch = await io.makeScratchDir('brkt-logs-');
  } catch (error) {
    throw new BrktError('io', `Failed to create a scratch directory: ${messageOf(error)}`, { cause: error });
  }
  try {
    if (dirname(options.output) === scratch) {
      throw new BrktError('invalid-input', `Output ${options.output} is inside the scratch directory`);
    }
    const errorsPath = join(scratch, ERRORS_FILE);
    const record = async (line: string) => {
      try {
        await io.appendFile(errorsPath, line + '\n');
      } catch (error) {
        throw new BrktError('io', `Failed to write ${ERRORS_FILE}: ${messageOf(error)}`, { cause: error });
      }
    };
    try {
      await io.writeFile(errorsPath, '');
    } catch (error) {
      throw new BrktError('io', `Failed to create ${ERRORS_FILE}: ${messageOf(error)}`, { cause: error });
    }

    const errors: string[] = [];
    const redactions = new Set<string>();
    const globbed = new Map<string, { source: string; line: string }>();
    const context = { platform, scratch, timeoutMs: options.timeoutMs, sinceSeconds: options.sinceSeconds };
    for (const [index, line] of lines.entries()) {
      const event = { index, total: lines.length, request: line };
      options.onRequest?.({ ...event, phase: 'start' });
      const started = performance.now();
      let failure: string | undefined;
      try {
        const outcome = await runRequest(parseRequest(line), context);
        for (const note of outcome.notes) {
          const entry = errorLine(line, note);
          errors.push(entry);
          await record(entry);
        }
        for (const key of outcome.redactedKeys) redactions.add(key);
        for (const file of outcome.files ?? []) globbed.set(file.member, { source: file.source, line });
      } catch (error) {
        if (error instanceof BrktError) throw error; // the errors file itself failed: fatal, as upstream
        failure = messageOf(error);
        const entry = errorLine(line, failure);
        errors.push(entry);
        await record(entry);
      }
      options.onRequest?.({ ...event, phase: 'done', error: failure, ms: performance.now() - started });
    }

    const redacted = [...redactions];
    await io.writeFile(join(scratch, REDACTIONS_FILE), redacted.map(key => key + '\n').join(''));
    const external: ExternalFile[] = [];
    const lineOf = new Map<string, string>();
    for (const [member, { source, line }] of globbed) {
      const taken = await takenBy(io, scratch, member);
      // Checked now, while logdog.errors can still take the line: a file that is gone or has
      // become a link since the glob found it is left out and said so.
      const unopenable = taken === undefined ? await openFailure(io, source) : undefined;
      if (taken === undefined && unopenable === undefined) {
        external.push({ member, source });
        lineOf.set(member, line);
        continue;
      }
      const reason = taken !== undefined ? `the bundle already has '${taken}' from another request` : unopenable!;
      const entry = errorLine(line, `Skipped '/${member}': ${reason}`);
      errors.push(entry);
      await record(entry);
    }
    // A file swapped after that check is still never read through a link (tarball.ts); it is
    // left out, and reported in the result since logdog.errors may be archived already.
    const onSkipped = (member: string, reason: string) => errors.push(errorLine(lineOf.get(member) ?? 'glob', `Skipped '/${member}': ${reason}`));
    const members = await writeTarGz(io, scratch, options.output, platform.now(), external, onSkipped);
    return { output: options.output, requests: lines.length, errors, redactions: redacted, members };
  } finally {
    await io.removeTree(scratch).catch(() => undefined);
  }
}

/** Why `source` cannot be opened for the archive now (`BundleIo.openFile`), or undefined. */
async function openFailure(io: Platform['bundleIo'], source: string): Promise<string | undefined> {
  try {
    await (await io.openFile(source)).close();
    return undefined;
  } catch (error) {
    return messageOf(error);
  }
}

/** The scratch path that a glob match's member name collides with: itself, or a file where a parent should be. */
async function takenBy(io: Platform['bundleIo'], scratch: string, member: string): Promise<string | undefined> {
  const parts = member.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const rel = parts.slice(0, depth).join('/');
    const info = await io.stat(join(scratch, rel));
    if (info && (depth === parts.length || !info.isDirectory)) return rel;
  }
  return undefined;
}

/** Upstream's line format in logdog.errors. */
export const errorLine = (request: string, message: string) => `Error running command '${request}': '${message}'`;
