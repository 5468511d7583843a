import { describe, expect, test } from 'bun:test';
import { pathToFileURL } from 'node:url';
import { makeTempDir } from '../../test/helpers/sandbox';
import { makeFetcher, timeoutsFromEnv } from './fetcher';

/** A body that sends `chunkBytes` every `everyMs` ms, `count` times (forever by default). */
function dribble(everyMs: number, chunkBytes = 1, count = Infinity): ReadableStream<Uint8Array> {
  let sent = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  return new ReadableStream({
    start(controller) {
      timer = setInterval(() => {
        try {
          controller.enqueue(new Uint8Array(chunkBytes).fill(0x41));
        } catch {
          clearInterval(timer); // the client went away
          return;
        }
        if (++sent >= count) {
          clearInterval(timer);
          controller.close();
        }
      }, everyMs);
    },
    cancel: () => clearInterval(timer),
  });
}

const fast = { initialBackoffMs: 1, maxBackoffMs: 2 };
const body = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);

/** All chunks; `onChunk` runs after each one arrived (a test closes a connection there). */
async function collect(chunks: AsyncIterable<Uint8Array>, onChunk?: () => void): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) {
    parts.push(chunk);
    onChunk?.();
  }
  return Buffer.concat(parts);
}

interface Seen {
  url: string;
  range: string | null;
}

/** A server whose handler sees each request with its 0-based number. */
function serve(handler: (request: Request, n: number) => Response | Promise<Response>) {
  const requests: Seen[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: request => handler(request, requests.push({ url: request.url, range: request.headers.get('range') }) - 1),
  });
  return { url: (path: string) => `http://127.0.0.1:${server.port}${path}`, requests, [Symbol.dispose]: () => server.stop(true) };
}

/**
 * A raw TCP server: the first connection gets headers promising the whole body and `cut` bytes
 * of it; `drop()` then closes it mid-body. Later connections get `next` (Range-aware or not).
 */
function cutting(data: Uint8Array, cut: number, acceptRanges: boolean, next: (range: string | null) => { status: number; headers: Record<string, string>; body: Uint8Array }) {
  const ranges: Array<string | null> = [];
  let first: { end(): void } | undefined;
  const listener = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      data(socket, chunk) {
        const head = chunk.toString();
        const range = /^range: (.*)$/im.exec(head)?.[1]?.trim() ?? null;
        ranges.push(range);
        const reply = ranges.length === 1
          ? { status: 200, headers: acceptRanges ? { 'accept-ranges': 'bytes' } : {}, body: data.subarray(0, cut), length: data.length }
          : { ...next(range), length: undefined };
        const length = reply.length ?? reply.body.length;
        const lines = [`HTTP/1.1 ${reply.status} X`, `content-length: ${length}`, 'connection: close', ...Object.entries(reply.headers).map(([k, v]) => `${k}: ${v}`), '', ''];
        socket.write(Buffer.concat([Buffer.from(lines.join('\r\n')), reply.body]));
        if (ranges.length === 1) first = socket;
        else socket.end();
      },
    },
  });
  return { url: `http://127.0.0.1:${listener.port}/image.lz4`, ranges, drop: () => first?.end(), [Symbol.dispose]: () => listener.stop(true) };
}

function rangedReply(range: string | null, data: Uint8Array) {
  const start = Number(/bytes=(\d+)-/.exec(range ?? '')?.[1] ?? 0);
  return { status: 206, headers: { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}`, 'accept-ranges': 'bytes' }, body: data.subarray(start) };
}

function ranged(request: Request, data: Uint8Array): Response {
  const range = /bytes=(\d+)-/.exec(request.headers.get('range') ?? '');
  if (!range) return new Response(data, { headers: { 'accept-ranges': 'bytes' } });
  const start = Number(range[1]);
  return new Response(data.subarray(start), { status: 206, headers: { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}`, 'accept-ranges': 'bytes' } });
}

describe('http', () => {
  test('5xx responses are retried with backoff, up to 4 tries', async () => {
    using server = serve((_, n) => (n < 3 ? new Response('busy', { status: 503 }) : new Response(body)));
    expect(await collect(makeFetcher(fast).stream(server.url('/x')))).toEqual(body);
    expect(server.requests).toHaveLength(4);
  });

  test('a fifth try is never made', async () => {
    using server = serve(() => new Response('down', { status: 500 }));
    await expect(collect(makeFetcher(fast).stream(server.url('/x')))).rejects.toThrow('Failed to fetch http://127.0.0.1');
    expect(server.requests).toHaveLength(4);
  });

  test.each([403, 404, 410])('HTTP %d means not found, without retrying', async status => {
    using server = serve(() => new Response('', { status }));
    const error = await collect(makeFetcher(fast).stream(server.url('/2.root.json'))).catch(e => e);
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`File not found: ${server.url('/2.root.json')} (HTTP ${status})`);
    expect(server.requests).toHaveLength(1);
  });

  test('other 4xx responses are fatal at once', async () => {
    using server = serve(() => new Response('', { status: 400 }));
    await expect(collect(makeFetcher(fast).stream(server.url('/x')))).rejects.toThrow('HTTP 400');
    expect(server.requests).toHaveLength(1);
  });

  test('an interrupted body resumes with Range where the server accepts ranges', async () => {
    using server = cutting(body, 100_000, true, range => rangedReply(range, body));
    expect(await collect(makeFetcher(fast).stream(server.url), server.drop)).toEqual(body);
    // Resumed after what had arrived when the connection dropped (all of the cut, or part of it).
    expect(server.ranges).toHaveLength(2);
    expect(server.ranges[0]).toBeNull();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(server.ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
  });

  test('an interrupted body fails when the server does not accept ranges', async () => {
    using server = cutting(body, 100_000, false, () => ({ status: 200, headers: {}, body }));
    await expect(collect(makeFetcher(fast).stream(server.url), server.drop)).rejects.toThrow('cannot resume');
    expect(server.ranges).toHaveLength(1);
  });

  test('a server that ignores Range is refused rather than duplicating data', async () => {
    using server = cutting(body, 1000, true, () => ({ status: 200, headers: {}, body }));
    await expect(collect(makeFetcher(fast).stream(server.url), server.drop)).rejects.toThrow('ignored the request to resume at byte 1000');
  });

  test('no response headers within the timeout counts as a failed try', async () => {
    let release!: () => void;
    const hold = new Promise<void>(resolve => (release = resolve));
    using server = serve(async (_, n) => {
      if (n === 0) await hold;
      return new Response(body);
    });
    try {
      expect(await collect(makeFetcher({ ...fast, headerTimeoutMs: 50 }).stream(server.url('/x')))).toEqual(body);
      expect(server.requests).toHaveLength(2);
    } finally {
      release();
    }
  });

  test('a server that dribbles bytes is cut off at the request deadline, not only at a gap', async () => {
    using server = serve(() => new Response(dribble(10), { headers: { 'content-length': '1000000' } }));
    const fetcher = makeFetcher({ ...fast, idleTimeoutMs: 10_000, requestTimeoutMs: 200 });
    const started = Date.now();
    await expect(collect(fetcher.stream(server.url('/timestamp.json')))).rejects.toThrow(`Failed to fetch ${server.url('/timestamp.json')}: the download did not finish within 200 ms`);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a dribbling server that accepts ranges gets every try, each one bounded', async () => {
    using server = serve(request => {
      const start = /bytes=(\d+)-/.exec(request.headers.get('range') ?? '')?.[1];
      const headers = { 'accept-ranges': 'bytes', ...(start ? { 'content-range': `bytes ${start}-999999/1000000` } : {}) };
      return new Response(dribble(10), { status: start ? 206 : 200, headers });
    });
    const fetcher = makeFetcher({ ...fast, idleTimeoutMs: 10_000, requestTimeoutMs: 100 });
    await expect(collect(fetcher.stream(server.url('/x')))).rejects.toThrow('(after 4 tries): the download did not finish within 100 ms');
    expect(server.requests).toHaveLength(4);
  });

  test('a large expected body gets time in proportion to its size', async () => {
    // 20 chunks of 1 KiB, one every 10 ms (about 200 ms): too slow for the flat 50 ms budget,
    // well within the 5 s that 20 KiB at 4 KiB/s adds.
    using server = serve(() => new Response(dribble(10, 1024, 20)));
    const fetcher = makeFetcher({ ...fast, tries: 1, requestTimeoutMs: 50, minBytesPerSecond: 4 << 10 });
    await expect(collect(fetcher.stream(server.url('/a')))).rejects.toThrow('did not finish within 50 ms');
    expect(await collect(fetcher.stream(server.url('/b'), { expectedBytes: 20 << 10 }))).toHaveLength(20 << 10);
  });

  test('the environment sets the timeouts in milliseconds, and refuses nonsense', () => {
    expect(timeoutsFromEnv({ BRKT_FETCH_TIMEOUT_MS: '250', BRKT_FETCH_IDLE_TIMEOUT_MS: '40', BRKT_FETCH_HEADER_TIMEOUT_MS: '', OTHER: '1' })).toEqual({ requestTimeoutMs: 250, idleTimeoutMs: 40 });
    expect(() => timeoutsFromEnv({ BRKT_FETCH_TIMEOUT_MS: '-1' })).toThrow("Invalid BRKT_FETCH_TIMEOUT_MS '-1': expected a positive integer");
  });

  test('query parameters are sent as given', async () => {
    using server = serve(() => new Response('ok'));
    await collect(makeFetcher(fast).stream(server.url('/m?seed=1&version=1.0.0')));
    expect(new URL(server.requests[0]!.url).search).toBe('?seed=1&version=1.0.0');
  });
});

describe('file', () => {
  test('reads a file in chunks, ignoring a query', async () => {
    await using dir = makeTempDir();
    await Bun.write(dir.path('t.bin'), body);
    const url = `${pathToFileURL(dir.path('t.bin')).href}?version=1.0.0`;
    const chunks: Uint8Array[] = [];
    for await (const chunk of makeFetcher({ fileChunkBytes: 65536 }).stream(url)) chunks.push(chunk);
    expect(chunks.length).toBe(5);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(body));
  });

  test('a missing file is not found', async () => {
    await using dir = makeTempDir();
    const error = await collect(makeFetcher().stream(pathToFileURL(dir.path('3.root.json')).href)).catch(e => e);
    expect(error.code).toBe('not-found');
  });

  test('other schemes are refused', () => {
    expect(() => makeFetcher().stream('ftp://example.com/x')).toThrow('Unsupported URL ftp://example.com/x');
  });
});
