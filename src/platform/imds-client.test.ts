// The IMDS client's bounded retries with back-off, against real HTTP servers on 127.0.0.1.
import { expect, test } from 'bun:test';
import { imdsClient } from './imds-client';

const fast = { attempts: 3, firstDelayMs: 1, timeoutMs: 2_000 };

test('transient 5xx answers are retried; the token is fetched once', async () => {
  const seen: string[] = [];
  let failures = 2;
  await using server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request) {
      seen.push(`${request.method} ${new URL(request.url).pathname}`);
      if (request.method === 'PUT') return failures-- > 0 ? new Response('', { status: 503 }) : new Response('token');
      return new Response('{"region":"eu-west-1"}');
    },
  });
  const imds = imdsClient(`http://127.0.0.1:${server.port}/`, fast);
  expect(await imds.get('/latest/dynamic/instance-identity/document')).toBe('{"region":"eu-west-1"}');
  expect(await imds.get('/other')).toBe('{"region":"eu-west-1"}');
  expect(seen).toEqual(['PUT /latest/api/token', 'PUT /latest/api/token', 'PUT /latest/api/token', 'GET /latest/dynamic/instance-identity/document', 'GET /other']);
});

test('a service that is not there is unavailable after the last attempt, not a hang', async () => {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('') });
  const url = `http://127.0.0.1:${server.port}`;
  await server.stop(true); // nothing listens on that port any more
  const error = (await imdsClient(url, fast).get('/x').catch((e: unknown) => e)) as Error & { code: string };
  expect(error.code).toBe('unavailable');
  expect(error.message).toStartWith(`Failed to PUT ${url}/latest/api/token (3 attempts): `);
});

test('a service that keeps failing answers with its status after the last attempt', async () => {
  let requests = 0;
  await using server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => (requests++, new Response('', { status: 500 })) });
  const error = (await imdsClient(`http://127.0.0.1:${server.port}`, fast).get('/x').catch((e: unknown) => e)) as Error & { code: string };
  expect([error.code, error.message, requests]).toEqual(['io', `IMDS at http://127.0.0.1:${server.port} refused a session token: 500`, 3]);
});
