// The update transport: http(s) GET with upstream's retry, backoff, timeout and not-found rules,
// resumed with Range after an interruption, and file:// for air-gapped hosts and tests
// (updates.md 1.4). Mirrors tough's HttpTransport and FilesystemTransport. Also the bounded
// http(s) read of `apply` sources (settings-now.md 3.3).
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BrktError, messageOf } from '../core/errors';
import type { Fetcher, FetchOptions } from './types';

export interface FetcherOptions {
  /** Attempts per request, the first included. */
  tries?: number;
  initialBackoffMs?: number;
  backoffFactor?: number;
  maxBackoffMs?: number;
  /** Until the response headers arrive (tough: 10 s connect within a 30 s request). */
  headerTimeoutMs?: number;
  /** Longest wait for the next body chunk. */
  idleTimeoutMs?: number;
  /**
   * Each try must finish within this (tough: 30 s per request), so a server that dribbles bytes
   * cannot stall an update. A large target gets `expectedBytes / minBytesPerSecond` more: an
   * image of hundreds of MiB cannot arrive in 30 s on every link.
   */
  requestTimeoutMs?: number;
  minBytesPerSecond?: number;
  /** Bytes per read of a file:// URL. */
  fileChunkBytes?: number;
}

const DEFAULTS: Required<FetcherOptions> = {
  tries: 4,
  initialBackoffMs: 100,
  backoffFactor: 1.5,
  maxBackoffMs: 1000,
  headerTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  requestTimeoutMs: 30_000,
  minBytesPerSecond: 256 << 10,
  fileChunkBytes: 1 << 20,
};

/** Overrides from the environment, so tests against slow servers run fast. */
const ENV_TIMEOUTS: Array<[string, 'headerTimeoutMs' | 'idleTimeoutMs' | 'requestTimeoutMs' | 'initialBackoffMs' | 'minBytesPerSecond']> = [
  ['BRKT_FETCH_HEADER_TIMEOUT_MS', 'headerTimeoutMs'],
  ['BRKT_FETCH_IDLE_TIMEOUT_MS', 'idleTimeoutMs'],
  ['BRKT_FETCH_TIMEOUT_MS', 'requestTimeoutMs'],
  ['BRKT_FETCH_BACKOFF_MS', 'initialBackoffMs'],
  ['BRKT_FETCH_MIN_BYTES_PER_SECOND', 'minBytesPerSecond'],
];

/** The timeouts the environment sets; a value that is not a positive integer is refused. */
export function timeoutsFromEnv(env: Record<string, string | undefined> = process.env): FetcherOptions {
  const options: FetcherOptions = {};
  for (const [name, field] of ENV_TIMEOUTS) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    if (!/^[1-9][0-9]{0,9}$/.test(text)) throw new BrktError('invalid-input', `Invalid ${name} '${text}': expected a positive integer`);
    options[field] = Number(text);
  }
  return options;
}

const NOT_FOUND = new Set([403, 404, 410]);

/** Why an attempt failed, and whether another attempt may help. */
class AttemptError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

export function makeFetcher(options: FetcherOptions = timeoutsFromEnv()): Fetcher {
  const config = { ...DEFAULTS, ...options };
  return {
    stream(url: string, fetchOptions: FetchOptions = {}) {
      const parsed = parseUrl(url);
      if (parsed.protocol === 'file:') return streamFile(parsed, config.fileChunkBytes);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return streamHttp(parsed, config, fetchOptions.expectedBytes ?? 0);
      throw new BrktError('invalid-input', `Unsupported URL ${url}: only http, https and file URLs can hold an update repository`);
    },
  };
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new BrktError('invalid-input', `Invalid URL ${url}`);
  }
}

/** The URL without its query, for messages (the query repeats the host's version and seed). */
const shown = (url: URL) => `${url.origin === 'null' ? url.protocol + '//' : url.origin}${url.pathname}`;

async function* streamFile(url: URL, chunkBytes: number): AsyncGenerator<Uint8Array> {
  const path = fileURLToPath(url);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new BrktError('not-found', `File not found: ${path}`);
    throw new BrktError('io', `Failed to open ${path}: ${messageOf(error)}`, { cause: error });
  }
  try {
    for (;;) {
      // A fresh buffer per read: consumers may keep chunks (the LZ4 decoder does, briefly).
      const buffer = new Uint8Array(chunkBytes);
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield bytesRead === chunkBytes ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function* streamHttp(url: URL, config: Required<FetcherOptions>, expectedBytes: number): AsyncGenerator<Uint8Array> {
  let received = 0;
  let resumable = false;
  let backoff = config.initialBackoffMs;
  const budgetMs = config.requestTimeoutMs + Math.ceil((expectedBytes * 1000) / config.minBytesPerSecond);
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController();
    const deadline = Date.now() + budgetMs;
    /** `ms`, or what is left of the try's budget when that comes first (with its own message). */
    const bounded = <T>(promise: Promise<T>, ms: number, message: string) => {
      const left = Math.max(0, deadline - Date.now());
      return left < ms
        ? withTimeout(promise, left, controller, `the download did not finish within ${budgetMs} ms`)
        : withTimeout(promise, ms, controller, message);
    };
    try {
      const response = await bounded(
        fetch(url, { signal: controller.signal, headers: received > 0 ? { Range: `bytes=${received}-` } : {}, redirect: 'follow' }),
        config.headerTimeoutMs,
        `no response from ${shown(url)} within ${config.headerTimeoutMs} ms`,
      );
      checkStatus(url, response, received);
      if (received === 0) resumable = /\bbytes\b/i.test(response.headers.get('accept-ranges') ?? '');
      if (!response.body) return;
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await bounded(reader.read(), config.idleTimeoutMs, `${shown(url)} sent nothing for ${config.idleTimeoutMs} ms`);
          if (done) return;
          received += value.length;
          yield value;
        }
      } finally {
        // The consumer stopped early (or an error): drop the connection.
        controller.abort();
        reader.releaseLock();
      }
    } catch (error) {
      if (error instanceof BrktError) throw error;
      const retryable = error instanceof AttemptError ? error.retryable : true;
      const midBody = received > 0;
      // Data already handed on cannot be taken back: continue only where the server can resume.
      if (!retryable || attempt >= config.tries || (midBody && !resumable)) {
        const reason = error instanceof AttemptError ? error.message : `${messageOf(error)}`;
        const after = attempt > 1 ? ` (after ${attempt} tries)` : '';
        throw new BrktError('unavailable', `Failed to fetch ${shown(url)}${after}: ${reason}${midBody && !resumable ? ' (the server does not accept Range requests, so the download cannot resume)' : ''}`, { cause: error });
      }
      await sleep(backoff);
      backoff = Math.min(backoff * config.backoffFactor, config.maxBackoffMs);
    }
  }
}

function checkStatus(url: URL, response: Response, received: number) {
  const status = response.status;
  if (NOT_FOUND.has(status)) {
    void response.body?.cancel();
    throw new BrktError('not-found', `File not found: ${shown(url)} (HTTP ${status})`);
  }
  if (status >= 500) throw new AttemptError(`HTTP ${status} from ${shown(url)}`, true);
  if (status < 200 || status >= 300) throw new AttemptError(`HTTP ${status} from ${shown(url)}`, false);
  if (received === 0 && status === 206) throw new AttemptError(`${shown(url)} answered a partial response to a full request`, false);
  if (received > 0) {
    const range = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
    if (status !== 206 || !range || Number(range[1]) !== received) {
      throw new AttemptError(`${shown(url)} ignored the request to resume at byte ${received}`, false);
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, controller: AbortController, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new AttemptError(message, true)); // first: the abort also rejects `promise`
      controller.abort();
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Bounds of one `apply` source over http(s) (settings-now.md 3.3: connect 10 s, total 30 s, 2 MiB). */
export interface SourceLimits {
  /** Until the response headers arrive: fetch has no connect hook, so this stands in for it. */
  connectTimeoutMs: number;
  /** The whole request, body included. */
  timeoutMs: number;
  maxBytes: number;
}

export const SOURCE_LIMITS: SourceLimits = { connectTimeoutMs: 10_000, timeoutMs: 30_000, maxBytes: 2 * 1024 * 1024 };

/** `SOURCE_LIMITS` with the timeouts the environment sets (for tests against slow servers). */
export function sourceLimitsFromEnv(env: Record<string, string | undefined> = process.env): SourceLimits {
  const limits = { ...SOURCE_LIMITS };
  for (const [name, field] of [['BRKT_SOURCE_CONNECT_TIMEOUT_MS', 'connectTimeoutMs'], ['BRKT_SOURCE_TIMEOUT_MS', 'timeoutMs']] as const) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    if (!/^[1-9][0-9]{0,9}$/.test(text)) throw new BrktError('invalid-input', `Invalid ${name} '${text}': expected a positive integer`);
    limits[field] = Number(text);
  }
  return limits;
}

/**
 * The body of an http(s) `url` as UTF-8 text, within `limits`: a silent or dribbling server
 * fails at the deadline and an endless body at `maxBytes` (Content-Length checked, then counted).
 */
export async function fetchBoundedText(url: string, limits: SourceLimits = sourceLimitsFromEnv()): Promise<string> {
  const controller = new AbortController();
  let timedOut: string | undefined;
  const abortAfter = (ms: number, why: string) =>
    setTimeout(() => {
      timedOut = why;
      controller.abort();
    }, ms);
  const total = abortAfter(limits.timeoutMs, `did not finish within ${limits.timeoutMs} ms`);
  const connect = abortAfter(limits.connectTimeoutMs, `no response within ${limits.connectTimeoutMs} ms`);
  const tooLarge = (size: string) => new BrktError('invalid-input', `HTTP object at ${url} is too large (${size} bytes, maximum is ${limits.maxBytes} bytes)`);
  try {
    const response = await fetch(url, { redirect: 'follow', signal: controller.signal });
    clearTimeout(connect);
    if (!response.ok) {
      void response.body?.cancel();
      throw new BrktError('unavailable', `Non-success HTTP status from '${url}': ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > limits.maxBytes) {
      void response.body?.cancel();
      throw tooLarge(String(declared));
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        size += chunk.length;
        if (size > limits.maxBytes) {
          controller.abort();
          throw tooLarge(`more than ${limits.maxBytes}`);
        }
        parts.push(chunk);
      }
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(parts));
    } catch {
      throw new BrktError('invalid-input', `HTTP object at ${url} is not valid UTF-8`);
    }
  } catch (error) {
    if (error instanceof BrktError) throw error;
    if (timedOut) throw new BrktError('unavailable', `Failed to fetch '${url}': ${timedOut}`, { cause: error });
    throw new BrktError('unavailable', `Failed to fetch '${url}': ${messageOf(error)}`, { cause: error });
  } finally {
    clearTimeout(total);
    clearTimeout(connect);
  }
}
