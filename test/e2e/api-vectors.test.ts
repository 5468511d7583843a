// The test vectors of api.md section 11 against the real server on a real socket.
import { describe, expect, test } from 'bun:test';
import { readFileSync, existsSync } from 'node:fs';
import { startApiServer } from '../helpers/api-server';
import { ApiError } from '../../src/core/api/api-error';
import type { ApplyRequest } from '../../src/core/api/applier';
import type { UpdateAction } from '../../src/core/api/updates';

const JSON_TYPE = 'application/json';

describe('api.md 11 test vectors (aws-k8s-1.17, VERSION_ID 1.0.0)', () => {
  test('1-3: PATCH stages, commit makes live, a second commit is 422', async () => {
    const applied: ApplyRequest[] = [];
    await using api = await startApiServer({ applier: async request => void applied.push(request) });
    expect(await api.request('PATCH', '/settings', '{"motd":"hi"}')).toEqual({ status: 204, body: '', contentType: null });
    expect(await api.json('/tx')).toEqual({ motd: 'hi' });
    expect(await api.json('/tx/list')).toEqual(['default']);
    expect(await api.json('/settings?keys=settings.motd')).toEqual({ motd: 'Welcome to Bottlerocket!' });

    const commit = await api.request('POST', '/tx/commit');
    expect(commit.status).toBe(200);
    expect(commit.contentType).toBe(JSON_TYPE);
    expect(JSON.parse(commit.body)).toEqual(['settings.motd']);
    expect(await api.json('/settings?keys=settings.motd')).toEqual({ motd: 'hi' });
    expect(await api.json('/tx/list')).toEqual([]);
    expect(await api.json('/tx')).toEqual({});

    expect(await api.request('POST', '/tx/commit')).toMatchObject({ status: 422, body: 'Tried to commit with no pending changes' });
    expect(await api.request('POST', '/tx/commit_and_apply?tx=nope')).toMatchObject({ status: 422 });
    expect(applied).toEqual([]);
  });

  test('4-6: bad bodies are 400 and change nothing', async () => {
    await using api = await startApiServer();
    const before = api.datastoreHash();
    const unknown = await api.request('PATCH', '/settings', '{"foo":1}');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toStartWith('Json deserialize error: unknown field `foo`');
    expect(await api.json('/tx/list')).toEqual([]);
    const wrongType = await api.request('PATCH', '/settings', '{"motd":42}');
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toContain('invalid type: integer `42`, expected a string');
    expect(await api.request('PATCH', '/settings', '{"motd":"x"}', { 'content-type': 'text/plain' })).toMatchObject({ status: 400, body: 'Content type error' });
    const empty = await api.request('PATCH', '/settings', '');
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('EOF while parsing');
    expect(api.datastoreHash()).toBe(before);
  });

  test('7: transaction names are percent-encoded directories', async () => {
    await using api = await startApiServer();
    expect((await api.request('PATCH', '/settings?tx=test%20transaction', '{"motd":"a"}')).status).toBe(204);
    expect(readFileSync(`${api.datastore}/pending/test%20transaction/settings/motd`, 'utf8')).toBe('"a"');
    expect(await api.json('/tx/list')).toEqual(['test transaction']);
    expect(await api.json('/tx?tx=test%20transaction', 'DELETE')).toEqual(['settings.motd']);
    expect(existsSync(`${api.datastore}/pending/test%20transaction`)).toBe(false);
    expect(await api.json('/tx?tx=never', 'DELETE')).toEqual([]);
  });

  test('8-10: keys and prefix parameters', async () => {
    await using api = await startApiServer();
    expect(await api.request('GET', '/settings?keys=')).toMatchObject({ status: 400, body: "Input 'keys' cannot be empty" });
    expect(await api.request('GET', '/settings?prefix=')).toMatchObject({ status: 400, body: "Input 'prefix' cannot be empty" });
    const badKey = await api.request('GET', '/settings?keys=settings.mo!d');
    expect(badKey.status).toBe(400);
    expect(badKey.body).toStartWith("Unable to make data key 'settings.mo!d'");
    expect(await api.json('/settings?keys=settings.motd&prefix=settings.ntp')).toEqual({ motd: 'Welcome to Bottlerocket!' });
    expect(await api.json('/settings?keys=settings.does-not-exist')).toEqual({});
    expect(await api.json('/settings?prefix=settings.mot')).toEqual({ motd: 'Welcome to Bottlerocket!' });
    expect(await api.json('/settings?prefix=motd')).toEqual({ motd: 'Welcome to Bottlerocket!' });
    expect(await api.json('/settings?prefix=settings.motdxxx')).toEqual({});
  });

  test('11: model prefixes', async () => {
    await using api = await startApiServer();
    expect(await api.json('/?prefix=os.arch')).toEqual({ os: { arch: api.sandbox.platform.arch } });
    expect(await api.json('/?prefix=motd')).toEqual({});
    expect(await api.json('/?prefix=settings.motd')).toEqual({ settings: { motd: 'Welcome to Bottlerocket!' } });
    expect(Object.keys((await api.json('/?prefix=s')) as object).sort()).toEqual(['services', 'settings']);
  });

  test('12-13: metadata with inheritance, setting generators', async () => {
    await using api = await startApiServer();
    expect(await api.request('GET', '/metadata/affected-services')).toMatchObject({ status: 400, body: "Missing required input 'keys'" });
    expect(await api.json('/metadata/affected-services?keys=settings.motd,settings.aws.region')).toEqual({ 'settings.motd': ['motd'] });
    expect(await api.json('/metadata/affected-services?keys=settings.kubernetes.max-pods')).toEqual({ 'settings.kubernetes.max-pods': ['kubernetes'] });
    const generators = (await api.json('/metadata/setting-generators')) as Record<string, string>;
    expect(generators['settings.updates.seed']).toBe('bork seed');
    expect(generators['settings.kubernetes.node-ip']).toBe('pluto node-ip');
  });

  test('14: services and configuration files by name', async () => {
    await using api = await startApiServer();
    expect(await api.json('/services?names=motd')).toEqual({ motd: { 'configuration-files': ['motd'], 'restart-commands': [] } });
    expect(await api.request('GET', '/services?names=nope')).toMatchObject({ status: 404, body: "Found no 'services.nope' in datastore" });
    // brkt decision (api.md 7.4): names match whole segments, so `host` is not `host-containers`.
    expect(await api.request('GET', '/services?names=host')).toMatchObject({ status: 404 });
    expect(await api.json('/configuration-files?names=motd')).toEqual({ motd: { path: '/etc/motd', 'template-path': '/usr/share/templates/motd' } });
  });

  test('15: unknown paths and methods are an empty 404', async () => {
    await using api = await startApiServer();
    for (const [method, uri] of [['POST', '/settings'], ['GET', '/tx/commit'], ['GET', '/settings/'], ['GET', '/nope']] as const) {
      expect(await api.request(method, uri)).toMatchObject({ status: 404, body: '' });
    }
  });

  test('16-17: update endpoints answer 501 until a dispatcher is plugged in, then its statuses', async () => {
    await using plain = await startApiServer();
    for (const [method, uri] of [['GET', '/updates/status'], ['POST', '/actions/refresh-updates'], ['POST', '/actions/prepare-update'], ['POST', '/actions/activate-update'], ['POST', '/actions/deactivate-update'], ['POST', '/actions/reboot']] as const) {
      const reply = await plain.request(method, uri);
      expect(reply.status).toBe(501);
      expect(reply.body).toContain('not available');
    }
    const runs: UpdateAction[] = [];
    const exits: Record<UpdateAction, number> = { refresh: 0, prepare: 65, activate: 64, deactivate: 3 };
    const statusFor = { 65: [409, 'Update action not allowed according to update state'], 64: [423, 'Update lock held'], 3: [500, 'Update dispatcher failed'] } as Record<number, [number, string]>;
    await using api = await startApiServer({
      updates: {
        status: async () => Promise.reject(new ApiError(404, 'Update status is uninitialized, refresh-updates to initialize it')),
        run: async action => {
          runs.push(action);
          const mapped = statusFor[exits[action]];
          if (mapped) throw new ApiError(mapped[0], mapped[1]);
        },
      },
    });
    expect(await api.request('GET', '/updates/status')).toMatchObject({ status: 404, body: 'Update status is uninitialized, refresh-updates to initialize it' });
    expect((await api.request('POST', '/actions/refresh-updates')).status).toBe(204);
    expect(await api.request('POST', '/actions/prepare-update')).toMatchObject({ status: 409 });
    expect(await api.request('POST', '/actions/activate-update')).toMatchObject({ status: 423, body: 'Update lock held' });
    expect(await api.request('POST', '/actions/deactivate-update')).toMatchObject({ status: 500, body: 'Update dispatcher failed' });
    expect(runs).toEqual(['refresh', 'prepare', 'activate', 'deactivate']);
  });

  test('18: commit_and_apply hands the committed keys to the applier; apply without keys is "all"', async () => {
    const applied: ApplyRequest[] = [];
    await using api = await startApiServer({ applier: async request => void applied.push(request) });
    expect((await api.request('PATCH', '/settings', '{"ntp":{"time-servers":["a.example"]}}')).status).toBe(204);
    expect(await api.json('/tx/commit_and_apply', 'POST')).toEqual(['settings.ntp.time-servers']);
    expect((await api.request('POST', '/tx/apply')).status).toBe(204);
    expect((await api.request('POST', '/tx/apply?keys=settings.motd')).status).toBe(204);
    expect(applied).toEqual([{ keys: ['settings.ntp.time-servers'] }, {}, { keys: ['settings.motd'] }]);
  });
});

describe('the applier', () => {
  test('reads settings back through the socket while the apply runs (no deadlock)', async () => {
    let seen: unknown;
    let socket = '';
    await using api = await startApiServer({
      applier: async request => {
        const reply = await fetch(`http://localhost/settings?keys=${request.keys!.join(',')}`, { unix: socket } as RequestInit);
        seen = await reply.json();
        // A write from inside the apply must not deadlock either.
        const patch = await fetch('http://localhost/settings?tx=during-apply', { unix: socket, method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"motd":"later"}' } as RequestInit);
        if (patch.status !== 204) throw new Error(`PATCH during apply: ${patch.status}`);
      },
    });
    socket = api.socket;
    await api.request('PATCH', '/settings', '{"motd":"applied"}');
    expect(await api.json('/tx/commit_and_apply', 'POST')).toEqual(['settings.motd']);
    expect(seen).toEqual({ motd: 'applied' });
    expect(await api.json('/tx/list')).toEqual(['during-apply']);
  });

  test('an applier failure is a 500 naming the reason; the commit stands', async () => {
    await using api = await startApiServer({ applier: async () => Promise.reject(new Error('template motd failed to render')) });
    await api.request('PATCH', '/settings', '{"motd":"x"}');
    expect(await api.request('POST', '/tx/commit_and_apply')).toMatchObject({ status: 500, body: 'Config applier failed: template motd failed to render' });
    expect(await api.json('/settings?keys=settings.motd')).toEqual({ motd: 'x' });
    expect(await api.request('POST', '/tx/apply')).toMatchObject({ status: 500 });
  });
});
