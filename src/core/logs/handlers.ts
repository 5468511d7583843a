// What each request mode does, writing into the scratch directory. Mirrors logdog's
// handle_*_request functions; brkt's changes are noted where they happen.
import { join } from 'node:path';
import type { Platform } from '../../platform/types';
import { messageOf } from '../errors';
import { expandGlob, isWithin, type GlobFile } from './glob';
import { redactSettings } from './redact';
import { RESERVED_NAMES, RequestError, checkOutputName, displayRequest, type LogRequest } from './request';
import { ShellWordsError, splitShellWords } from './shell-words';
import { withSince } from './since';
import { TOP_DIRECTORY, isSafeMemberName } from './member-path';

export interface RequestContext {
  platform: Platform;
  scratch: string;
  /** Per exec, http and settings request; undefined = wait forever (upstream). */
  timeoutMs?: number;
  sinceSeconds?: number;
}

export interface RequestOutcome {
  /** More lines for logdog.errors that do not stop the request (links not followed). */
  notes: string[];
  redactedKeys: string[];
  /** Glob matches, archived from where they are (see tarball.ts). */
  files?: GlobFile[];
}

/** Programs that are brkt itself: run this binary, under the same root, instead of PATH's. */
const SELF_PROGRAMS = new Set(['brkt', 'apiclient', 'updog', 'signpost']);

/** reqwest-blocking's overall default, which upstream's http requests live with. */
const HTTP_DEFAULT_TIMEOUT_MS = 30_000;

/** Runs one request; a thrown error becomes its line in logdog.errors. */
export async function runRequest(request: LogRequest, context: RequestContext): Promise<RequestOutcome> {
  switch (request.mode) {
    case 'exec':
      return runExec(request, context);
    case 'file':
      return runFile(request, context);
    case 'http':
    case 'https':
      return runHttp(request, context);
    case 'glob':
      return runGlob(request, context);
    case 'settings':
      return runSettings(request, context);
    default:
      throw new RequestError(`Unknown request type '${request.mode}' in '${request.line}'`);
  }
}

const none = (): RequestOutcome => ({ notes: [], redactedKeys: [] });

export const describeTimeout = (ms: number) => `timed out after ${Number((ms / 1000).toFixed(3))}s`;

async function runExec(request: LogRequest, context: RequestContext): Promise<RequestOutcome> {
  const { platform, scratch } = context;
  let words: string[];
  try {
    words = splitShellWords(request.instructions);
  } catch (error) {
    if (error instanceof ShellWordsError) throw new RequestError(`Unable to parse command '${displayRequest(request)}': ${error.message}`);
    throw error;
  }
  if (words.length === 0) throw new RequestError(`The request has no command: '${displayRequest(request)}'`);
  const name = checkOutputName(request);
  const [program, ...args] = words as [string, ...string[]];
  const isSelf = SELF_PROGRAMS.has(program);
  const argv = isSelf
    ? [...platform.bundleIo.selfCommand, '--root', platform.paths.root, ...(program === 'brkt' ? [] : [program]), ...args]
    : withSince(words, context.sinceSeconds, platform.now());
  // brkt: in a sandbox, programs run in the root, so relative paths (`df -h .`) mean the sandbox.
  const cwd = platform.kind === 'sandbox' ? platform.paths.root : undefined;
  const result = await platform.bundleIo.execToFile(argv, join(scratch, name), { timeoutMs: context.timeoutMs, cwd });
  if (result.spawnError !== undefined) throw new RequestError(`Failed to run '${program}': ${result.spawnError}`);
  if (result.timedOut) throw new RequestError(describeTimeout(context.timeoutMs!));
  // Upstream ignores exit statuses; brkt's own commands fail only when they could not report.
  if (isSelf && result.code !== 0) throw new RequestError(`'${words.join(' ')}' exited with status ${result.code}, its output is in ${name}`);
  return none();
}

async function runFile(request: LogRequest, context: RequestContext): Promise<RequestOutcome> {
  if (request.instructions === '') throw new RequestError(`The request has no source file: '${displayRequest(request)}'`);
  const name = checkOutputName(request);
  const source = await confinedSource(context.platform, request.instructions);
  try {
    await context.platform.bundleIo.copyFile(source, join(context.scratch, name));
  } catch (error) {
    throw new RequestError(`Unable to copy '${request.instructions}' to '${name}': ${messageOf(error)}`);
  }
  return none();
}

/** A source path under the root whose real path (links resolved) is still under the root. */
async function confinedSource(platform: Platform, path: string): Promise<string> {
  const io = platform.bundleIo;
  let rooted: string;
  try {
    rooted = platform.path(path);
  } catch (error) {
    throw new RequestError(messageOf(error));
  }
  const real = await io.realpath(rooted).catch(() => undefined);
  if (real === undefined) throw new RequestError(`Unable to copy '${path}': no such file`);
  const realRoot = (await io.realpath(platform.paths.root)) ?? platform.paths.root;
  if (!isWithin(real, realRoot)) throw new RequestError(`Refusing '${path}': it resolves to '${real}', outside the root`);
  return real;
}

async function runHttp(request: LogRequest, context: RequestContext): Promise<RequestOutcome> {
  if (request.instructions === '') throw new RequestError(`The request has no URL: '${displayRequest(request)}'`);
  const name = checkOutputName(request);
  const url = request.instructions;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new RequestError(`Unable to parse URL '${url}': ${messageOf(error)}`);
  }
  // brkt: the request is named http; fetching file:// (or data:, blob:) would copy host files.
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RequestError(`Refusing URL '${url}': only http and https URLs are fetched`);
  }
  const timeoutMs = context.timeoutMs ?? HTTP_DEFAULT_TIMEOUT_MS;
  let reply;
  try {
    reply = await context.platform.bundleIo.httpGet(url, { timeoutMs });
  } catch (error) {
    throw new RequestError(isTimeout(error) ? describeTimeout(timeoutMs) : `HTTP GET '${url}' failed: ${messageOf(error)}`);
  }
  if (reply.status >= 400) throw new RequestError(`HTTP GET '${url}' failed with status ${reply.status}`);
  await context.platform.bundleIo.writeFile(join(context.scratch, name), reply.body);
  return none();
}

/**
 * Upstream copies each match into the scratch directory; brkt archives matches from where they
 * are (a big log tree is not copied twice), so here they are only found and checked.
 */
async function runGlob(request: LogRequest, context: RequestContext): Promise<RequestOutcome> {
  const { platform } = context;
  const { files, skipped, invalidNames } = await expandGlob(platform.bundleIo, platform.paths.root, request.instructions);
  const notes = skipped.map(link => `Skipped '${link}': a link outside the pattern's directory`);
  for (const path of invalidNames) notes.push(`Skipped '${path}': its name is not UTF-8, which the archive cannot hold`);
  const kept = files.filter(file => {
    if (!isSafeMemberName(`${TOP_DIRECTORY}/${file.member}`)) {
      notes.push(`Skipped '/${file.member}': its name cannot go into the archive (a backslash or control character)`);
      return false;
    }
    if (!RESERVED_NAMES.has(file.member)) return true;
    notes.push(`Skipped '/${file.member}': its name is reserved for the bundle itself`);
    return false;
  });
  return { notes, redactedKeys: [], files: kept };
}

/**
 * Settings as `apiclient get` gives them (`{"os": ..., "settings": ...}`), read from the API
 * socket, redacted, pretty-printed without a trailing newline (upstream v1.20+).
 */
async function runSettings(request: LogRequest, context: RequestContext): Promise<RequestOutcome> {
  const name = checkOutputName(request);
  const socket = context.platform.paths.apiSocket;
  const settings = await getJson(context, socket, '/settings');
  const document: Record<string, unknown> = {};
  // `os` is informational: a server without /os still yields the settings.
  const os = await getJson(context, socket, '/os').catch(() => undefined);
  if (os !== undefined) document.os = os;
  document.settings = settings;
  const { document: redacted, keys } = redactSettings(document);
  await context.platform.bundleIo.writeFile(join(context.scratch, name), JSON.stringify(redacted, null, 2));
  return { notes: [], redactedKeys: keys };
}

async function getJson(context: RequestContext, socket: string, uri: string): Promise<unknown> {
  const timeoutMs = context.timeoutMs ?? HTTP_DEFAULT_TIMEOUT_MS;
  let reply;
  try {
    reply = await context.platform.bundleIo.httpGet(`http://localhost${uri}`, { unix: socket, timeoutMs });
  } catch (error) {
    const reason = isTimeout(error) ? describeTimeout(timeoutMs) : messageOf(error);
    throw new RequestError(`Unable to read settings from the API at ${socket}: ${reason}`);
  }
  const body = new TextDecoder().decode(reply.body);
  if (reply.status !== 200) {
    throw new RequestError(`Unable to read settings from the API at ${socket}: GET ${uri} answered ${reply.status} ${body.split('\n')[0]!.slice(0, 200)}`.trimEnd());
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new RequestError(`The API's answer to GET ${uri} is not JSON: ${messageOf(error)}`);
  }
}

const isTimeout = (error: unknown) => (error as Error)?.name === 'TimeoutError';
