// Requests the API must answer whatever their size or method, on the real server and socket:
// a commit of hundreds of keys applies, error messages stay bounded, and methods the API does
// not serve are answered, not dropped.
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brkt } from '../helpers/brkt';
import { request, spawnServing, startApiServer } from '../helpers/api-server';
import { makeSandbox } from '../helpers/sandbox';

describe('a commit of many keys', () => {
  test('300 host containers (900 keys) in one transaction commit and apply', async () => {
    await using sandbox = await makeSandbox();
    const booted = await spawnServing(['boot', '--serve'], { root: sandbox.root });
    try {
      const socket = sandbox.path('run/api.sock');
      const containers = Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [`custom-container-${String(i).padStart(3, '0')}`, { source: `registry.example.com/team/image-${i}:v1`, enabled: false, superpowered: false }]),
      );
      expect(await request(socket, 'PATCH', '/settings?tx=many', JSON.stringify({ 'host-containers': containers }))).toMatchObject({ status: 204 });
      const applied = await request(socket, 'POST', '/tx/commit_and_apply?tx=many');
      expect({ status: applied.status, body: applied.body.slice(0, 200) }).toMatchObject({ status: 200 });
      expect(JSON.parse(applied.body)).toHaveLength(900);
      const live = JSON.parse((await brkt('brkt', ['api', '-u', '/settings?prefix=settings.host-containers'], { root: sandbox.root })).stdout);
      expect(Object.keys(live['host-containers'])).toHaveLength(302); // admin and control too
      // No server error on the way (the applier's requests included).
      expect(booted.output()).not.toContain('apiserver: POST');
    } finally {
      booted.child.kill('SIGTERM');
      await booted.child.exited;
    }
  });
});

describe('error messages are bounded', () => {
  test('a message that repeats a huge input is cut, and says so', async () => {
    await using api = await startApiServer({ variant: 'aws-dev' });
    const key = `settings.${'a'.repeat(6000)}!`;
    const reply = await api.request('GET', `/settings?keys=${key}`);
    expect(reply.status).toBe(400);
    expect(reply.body).toStartWith(`Unable to make data key 'settings.aaaa`);
    expect(reply.body).toMatch(/ \.\.\. \(\d+ more characters\)$/);
    expect(reply.body.length).toBeLessThanOrEqual(1000);
  });
});

describe('methods the API does not serve', () => {
  test.each(['PROPFIND', 'MKCOL', 'OPTIONS', 'PUT', 'TRACE', 'QUERY'])('%s /settings is an empty 404, and the server keeps serving', async method => {
    await using api = await startApiServer({ variant: 'aws-dev' });
    expect(await api.request(method, '/settings')).toEqual({ status: 404, body: '', contentType: null });
    expect(await api.json('/settings?keys=settings.motd')).toEqual({ motd: 'Welcome to Bottlerocket!' });
  });

  test('brkt api refuses a method its HTTP client would silently turn into GET', async () => {
    await using api = await startApiServer({ variant: 'aws-dev' });
    const result = await brkt('brkt', ['api', '-m', 'BREW', '-u', '/settings', '--socket', api.socket], { root: api.sandbox.root });
    expect(result).toEqual({ code: 2, stdout: '', stderr: "brkt: Cannot send method 'BREW': the HTTP client knows only the standard and WebDAV methods\n" });
  });
});

describe("the README's endpoint list is what the server serves", () => {
  const readme = readFileSync(join(import.meta.dir, '../../README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| endpoint | methods |'));
  const rows = [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| `([^`]+)` \| ([A-Z, ]+) \|$/gm)].map(m => ({ path: m[1]!, methods: m[2]!.split(', ') }));
  const absent = readme.slice(readme.indexOf("Not there, of upstream's later API"));
  const missing = [...absent.slice(0, absent.indexOf('\n\n')).matchAll(/`(\/[a-z0-9/-]+)`/g)].map(m => m[1]!);
  /** An unknown route's answer; a served route answers with a status and a message or body. */
  const isUnrouted = (reply: { status: number; body: string }) => reply.status === 404 && reply.body === '';

  test('every listed method of every listed endpoint is served; every other method is an empty 404', async () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    await using api = await startApiServer({ variant: 'aws-dev' });
    for (const { path, methods } of rows) {
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE', 'PUT']) {
        const reply = await api.request(method, `${path}${path === '/metadata/affected-services' || path === '/metadata/templates' ? '?keys=settings.motd' : ''}`, method === 'PATCH' ? '{}' : undefined);
        expect({ path, method, served: !isUnrouted(reply) }).toEqual({ path, method, served: methods.includes(method) });
      }
    }
  });

  test('the endpoints it says are not there are not', async () => {
    expect(missing).toEqual(['/report', '/report/cis', '/report/fips']);
    await using api = await startApiServer({ variant: 'aws-dev' });
    for (const path of [...missing, '/actions/ephemeral-storage/bind', '/v2/settings']) {
      for (const method of ['GET', 'POST']) expect({ path, method, unrouted: isUnrouted(await api.request(method, path)) }).toEqual({ path, method, unrouted: true });
    }
  });
});
