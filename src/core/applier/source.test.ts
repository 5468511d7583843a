import { describe, expect, test } from 'bun:test';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { BrktError } from '../errors';
import { makePlatform } from '../../platform';
import { applySettings } from './apply';
import { keyName, keySegments } from './keys';
import { httpSettingsSource, MemorySettingsSource } from './source';
import { k8sState } from './test-state';

/**
 * A server on a Unix socket that answers the API's read endpoints from a MemorySettingsSource,
 * recording each request line: checks what the HTTP source sends and how it reads answers.
 */
function serveState(socket: string, source: MemorySettingsSource) {
  const requests: string[] = [];
  const names = (url: URL) => url.searchParams.get('names')?.split(',');
  const server = Bun.serve({
    unix: socket,
    async fetch(request) {
      const url = new URL(request.url);
      requests.push(`${request.method} ${url.pathname}${url.search}`);
      try {
        switch (url.pathname) {
          case '/settings': return Response.json(await source.settings());
          case '/os': return Response.json(await source.os());
          case '/services': return Response.json(await source.services(names(url)));
          case '/configuration-files': return Response.json(await source.configurationFiles(names(url)));
          case '/metadata/affected-services': return Response.json(await source.affectedServices(url.searchParams.get('keys')!.split(',')));
          default: return new Response('', { status: 404 });
        }
      } catch (error) {
        return new Response((error as Error).message, { status: error instanceof BrktError && error.code === 'not-found' ? 404 : 500 });
      }
    },
  });
  return { requests, [Symbol.asyncDispose]: () => server.stop(true) };
}

describe('httpSettingsSource', () => {
  test('the applier reads everything it needs over the socket', async () => {
    await using sandbox = await makeSandbox();
    await using dir = makeTempDir();
    const memory = new MemorySettingsSource(k8sState());
    memory.state.settings.motd = 'over http';
    await using server = serveState(dir.path('api.sock'), memory);
    await applySettings(sandbox.platform, httpSettingsSource(sandbox.platform, dir.path('api.sock')), ['settings.motd', 'settings.updates."odd.key/x"']);
    expect(await Bun.file(sandbox.path('etc/motd')).text()).toBe('over http\n');
    expect(server.requests[0]).toBe('GET /metadata/affected-services?keys=settings.motd,settings.updates.%22odd.key%2Fx%22');
    expect(server.requests).toContain('GET /services?names=motd,updog');
    expect(server.requests).toContain('GET /settings');
    expect(server.requests).toContain('GET /os');
  });

  test('affected services of many keys are asked for in batches that each fit a URL', async () => {
    await using dir = makeTempDir();
    await using server = serveState(dir.path('api.sock'), new MemorySettingsSource(k8sState()));
    const keys = Array.from({ length: 900 }, (_, i) => `settings.host-containers.custom-container-${i}.source`);
    const affected = await httpSettingsSource(makePlatform({ root: dir.root, env: {} }), dir.path('api.sock')).affectedServices([...keys, 'settings.motd']);
    expect(affected['settings.motd']).toEqual(['motd']);
    const sent = server.requests.map(line => new URL(line.split(' ')[1]!, 'http://x').searchParams.get('keys')!.split(','));
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.flat()).toEqual([...keys, 'settings.motd']);
    for (const line of server.requests) expect(line.length).toBeLessThan(4100);
  });

  test('a 404 names the request and the server message', async () => {
    await using dir = makeTempDir();
    await using _server = serveState(dir.path('api.sock'), new MemorySettingsSource(k8sState()));
    const error = await httpSettingsSource(makePlatform({ root: dir.root, env: {} }), dir.path('api.sock')).services(['chronyd']).catch(e => e);
    expect(error).toBeInstanceOf(BrktError);
    expect(error.code).toBe('not-found');
    expect(error.message).toBe("GET /services?names=chronyd answered 404: Found no 'services.chronyd' in datastore");
  });

  test('no server is unavailable', async () => {
    await using dir = makeTempDir();
    const error = await httpSettingsSource(makePlatform({ root: dir.root, env: {} }), dir.path('none.sock')).settings().catch(e => e);
    expect(error.code).toBe('unavailable');
    expect(error.message).toStartWith(`Failed to GET /settings on ${dir.path('none.sock')}: `);
  });
});

describe('MemorySettingsSource', () => {
  test('affected-services are inherited from the nearest ancestor', async () => {
    const source = new MemorySettingsSource(k8sState());
    expect(await source.affectedServices(['settings.motd', 'settings.aws.region', 'settings.kubernetes.max-pods', 'settings.kubernetes.pod-infra-container-image'])).toEqual({
      'settings.motd': ['motd'],
      'settings.kubernetes.max-pods': ['kubernetes'],
      'settings.kubernetes.pod-infra-container-image': ['kubernetes', 'containerd'],
    });
  });
});

describe('key names', () => {
  test.each([
    ['settings.motd', ['settings', 'motd']],
    ['settings.kubernetes.node-labels."app.kubernetes.io/name"', ['settings', 'kubernetes', 'node-labels', 'app.kubernetes.io/name']],
  ])('%s', (key, segments) => {
    expect(keySegments(key)).toEqual(segments);
    expect(keyName(segments)).toBe(key);
  });
  test.each(['', 'a..b', 'a.', 'a."b', 'a."b"c'])('%p is invalid', key => expect(() => keySegments(key)).toThrow(BrktError));
});
