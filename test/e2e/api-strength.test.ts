// settings-now.md 8, test vectors 1-5: strength on PATCH, the commit check, GET /v2/tx and the
// generator routes, against the real server on a real Unix socket.
import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { startApiServer } from '../helpers/api-server';
import { parseKey } from '../../src/core/datastore/key';

const REJECTED = 'Data store error during commit: Check constraint function rejected the transaction. Aborting commit : Cannot change setting settings.motd strength from strong to weak';

describe('settings-now.md 8 vectors (fresh datastore, motd live and strong)', () => {
  test('1: a weak PATCH of a populated strong setting is staged, and its commit refused whole', async () => {
    await using api = await startApiServer();
    expect((await api.request('PATCH', '/settings?tx=a&strength=weak', '{"motd":"x","ntp":{"time-servers":["a.example"]}}')).status).toBe(204);
    expect(readFileSync(`${api.datastore}/pending/a/settings/motd.strength`, 'utf8')).toBe('"weak"');
    expect(await api.json('/v2/tx?tx=a')).toEqual({
      settings: { motd: 'x', ntp: { 'time-servers': ['a.example'] } },
      metadata: { 'settings.motd': { strength: '"weak"' }, 'settings.ntp.time-servers': { strength: '"weak"' } },
    });
    const before = api.datastoreHash();
    const commit = await api.request('POST', '/tx/commit?tx=a');
    expect(commit).toMatchObject({ status: 500, body: REJECTED });
    expect(await api.request('POST', '/tx/commit_and_apply?tx=a')).toMatchObject({ status: 500, body: REJECTED });
    expect(api.datastoreHash()).toBe(before); // nothing written, the transaction kept as it was
    expect(await api.json('/tx/list')).toEqual(['a']);
    expect(await api.json('/settings?keys=settings.motd,settings.ntp.time-servers')).toEqual({ motd: 'Welcome to Bottlerocket!', ntp: { 'time-servers': ['169.254.169.123', '2.amazon.pool.ntp.org'] } });
  });

  test('1: GET /v2/tx of a missing transaction, and of a strong PATCH', async () => {
    await using api = await startApiServer();
    expect(await api.json('/v2/tx?tx=never')).toEqual({ settings: {}, metadata: {} });
    expect((await api.request('PATCH', '/settings', '{"motd":"hi"}')).status).toBe(204);
    expect(await api.json('/v2/tx')).toEqual({ settings: { motd: 'hi' }, metadata: { 'settings.motd': { strength: '"strong"' } } });
    expect((await api.request('PATCH', '/settings/keypair?tx=k&strength=weak', '{"request_payload":["settings.host-containers.x.enabled=true"]}')).status).toBe(204);
    expect(await api.json('/v2/tx?tx=k')).toEqual({ settings: { 'host-containers': { x: { enabled: true } } }, metadata: { 'settings.host-containers.x.enabled': { strength: '"weak"' } } });
    // A strong commit over a strong live value writes no strength file.
    expect(await api.json('/tx/commit', 'POST')).toEqual(['settings.motd']);
    expect(existsSync(`${api.datastore}/live/settings/motd.strength`)).toBe(false);
  });

  test('2: weak where nothing is live commits as weak; a later strong PATCH makes it strong', async () => {
    await using api = await startApiServer();
    const strengthFile = `${api.datastore}/live/settings/host-containers/x/enabled.strength`;
    expect((await api.request('PATCH', '/settings?tx=b&strength=weak', '{"host-containers":{"x":{"enabled":true}}}')).status).toBe(204);
    expect(await api.json('/tx/commit?tx=b', 'POST')).toEqual(['settings.host-containers.x.enabled']);
    expect(readFileSync(strengthFile, 'utf8')).toBe('"weak"');
    expect(await api.json('/tx/list')).toEqual([]);
    // weak over weak: allowed, strength unchanged
    expect((await api.request('PATCH', '/settings?tx=c&strength=weak', '{"host-containers":{"x":{"enabled":false}}}')).status).toBe(204);
    expect(await api.json('/tx/commit?tx=c', 'POST')).toEqual(['settings.host-containers.x.enabled']);
    expect(readFileSync(strengthFile, 'utf8')).toBe('"weak"');
    expect((await api.request('PATCH', '/settings', '{"host-containers":{"x":{"enabled":true}}}')).status).toBe(204);
    expect(await api.json('/tx/commit', 'POST')).toEqual(['settings.host-containers.x.enabled']);
    expect(readFileSync(strengthFile, 'utf8')).toBe('"strong"');
    // Now strong and populated: weak is refused again.
    expect((await api.request('PATCH', '/settings?tx=d&strength=weak', '{"host-containers":{"x":{"enabled":false}}}')).status).toBe(204);
    expect((await api.request('POST', '/tx/commit?tx=d')).body).toContain('Cannot change setting settings.host-containers.x.enabled strength from strong to weak');
  });

  test('2: the committed strength survives a restart of the server (it is on disk, not only in memory)', async () => {
    const api = await startApiServer();
    await api.request('PATCH', '/settings?tx=b&strength=weak', '{"host-containers":{"x":{"enabled":true}}}');
    await api.json('/tx/commit?tx=b', 'POST');
    await api.server.stop();
    const { ApiServer } = await import('../../src/core/api/server');
    const again = await ApiServer.open(api.sandbox.platform);
    try {
      const reply = await again.handle(new Request('http://localhost/settings?tx=e&strength=weak', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"host-containers":{"x":{"enabled":false}}}' }));
      expect(reply.status).toBe(204);
      expect((await again.handle(new Request('http://localhost/tx/commit?tx=e', { method: 'POST' }))).status).toBe(200);
    } finally {
      await again.stop();
      await api.sandbox[Symbol.asyncDispose]();
    }
  });

  test('3: an unknown strength is 400 and stages nothing', async () => {
    await using api = await startApiServer();
    const before = api.datastoreHash();
    for (const uri of ['/settings?strength=medium', '/settings/keypair?strength=medium']) {
      const body = uri.includes('keypair') ? '{"request_payload":["motd=x"]}' : '{"motd":"x"}';
      const reply = await api.request('PATCH', uri, body);
      expect(reply.status).toBe(400);
      expect(reply.body).toStartWith('Provided strength is not one of weak or strong. The given strength is: medium.');
    }
    expect((await api.request('PATCH', '/settings?strength=', '{"motd":"x"}')).status).toBe(400);
    expect(api.datastoreHash()).toBe(before);
  });

  test('4: generators with depth are expanded; v1 lists strong ones as commands, v2 all', async () => {
    await using api = await startApiServer();
    const store = api.server.store;
    await api.server.stop();
    await store.setMetadata(parseKey('settings.x.source'), 'setting-generator', '{"command":"gen","strength":"weak","depth":1}');
    for (const name of ['settings.x.a.enabled', 'settings.x.b.enabled']) await store.setKey(parseKey(name), 'true');
    await store.setMetadata(parseKey('settings.abc.def'), 'setting-generator', '{"command":"abc","depth":1}');
    await store.setKey(parseKey('settings.abc.some-value'), '1');
    await store.setKey(parseKey('settings.abc.some-map.xyz'), '2');
    await store.setMetadata(parseKey('settings.abc.some-map.def'), 'setting-generator', '"deeper"');
    await store.setMetadata(parseKey('settings.q.r'), 'setting-generator', '{"command":"plain","depth":0}');
    const { ApiServer } = await import('../../src/core/api/server');
    const server = await ApiServer.open(api.sandbox.platform);
    try {
      const get = async (uri: string) => JSON.parse(await (await server.handle(new Request(`http://localhost${uri}`))).text());
      const v2 = await get('/v2/metadata/setting-generators');
      expect(v2['settings.x.a.source']).toEqual({ command: 'gen', strength: 'weak' });
      expect(v2['settings.x.b.source']).toEqual({ command: 'gen', strength: 'weak' });
      expect(v2['settings.x.source']).toBeUndefined();
      expect(v2['settings.updates.seed']).toEqual({ command: 'bork seed', strength: 'strong' });
      // The deeper declaration overwrites the expanded one; the short key is ignored.
      expect(v2['settings.abc.some-map.def']).toEqual({ command: 'deeper', strength: 'strong' });
      expect(v2['settings.abc.some-value']).toBeUndefined();
      expect(v2['settings.abc.def']).toBeUndefined();
      expect(v2['settings.q.r']).toEqual({ command: 'plain', strength: 'strong' });
      const v1 = await get('/metadata/setting-generators');
      expect(v1['settings.x.a.source']).toBeUndefined();
      expect(v1['settings.x.b.source']).toBeUndefined();
      expect(v1['settings.updates.seed']).toBe('bork seed');
      expect(v1['settings.abc.some-map.def']).toBe('deeper');
      // Shipped weak generators: the host-container sources are only in v2.
      expect(v1['settings.host-containers.admin.source']).toBeUndefined();
      expect(v2['settings.host-containers.admin.source']).toEqual({ command: 'schnauzer settings.host-containers.admin.source', strength: 'weak' });
      expect(Object.keys(v2).filter(key => !(key in v1)).sort()).toEqual(['settings.host-containers.admin.source', 'settings.host-containers.control.source', 'settings.x.a.source', 'settings.x.b.source']);
    } finally {
      await server.stop();
    }
  });

  test.each([
    ['an unknown field', '{"command":"c","skip":true}', 'unknown field `skip`'],
    ['no command', '{"strength":"weak"}', 'missing field `command`'],
    ['not JSON', '{command', 'not valid JSON'],
  ])('5: generator metadata with %s is 500 on both routes', async (_, text, message) => {
    await using api = await startApiServer();
    const store = api.server.store;
    await api.server.stop();
    await store.setMetadata(parseKey('settings.motd'), 'setting-generator', text);
    const { ApiServer } = await import('../../src/core/api/server');
    const server = await ApiServer.open(api.sandbox.platform, { socket: api.socket });
    await server.listen();
    try {
      for (const uri of ['/metadata/setting-generators', '/v2/metadata/setting-generators']) {
        const reply = await api.request('GET', uri);
        expect(reply.status).toBe(500);
        expect(reply.body).toContain("setting generator of 'settings.motd'");
        expect(reply.body).toContain(message);
      }
    } finally {
      await server.stop();
    }
  });
});
