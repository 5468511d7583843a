// settings-now.md 8, vectors 8 and 11, against the real API server: lockdown closes the
// datastore until the next (sandbox) boot; network configure validates and writes net.toml.
import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { request, spawnServing, startApiServer } from '../helpers/api-server';
import { makeSandbox } from '../helpers/sandbox';

describe('lockdown (vector 8)', () => {
  test('datastore requests fail until the next boot; /os and /tx/apply keep working', async () => {
    await using sandbox = await makeSandbox();
    const socket = sandbox.platform.paths.apiSocket;
    const live = `${sandbox.platform.paths.datastore}/live`;
    const get = (uri: string) => request(socket, 'GET', uri);
    {
      await using served = spawnBoot(sandbox.root, ['--serve']);
      await served.waitForLine('boot: serving the API on');
      expect((await get('/settings')).status).toBe(200);

      const locked = await brkt('apiclient', ['-s', socket, 'lockdown']);
      expect(locked.code).toBe(0);
      expect(locked.stderr).toContain('Lockdown completed');

      expect(await get('/?prefix=settings.motd')).toMatchObject({
        status: 500,
        body: `Data store error during get_prefix 'settings.motd' for Live: Data store integrity violation at ${live}: Live datastore missing`,
      });
      expect((await get('/settings')).status).toBe(500);
      expect(await brkt('apiclient', ['-s', socket, 'get', 'settings.motd'])).toEqual({
        stdout: '',
        stderr: `Failed to get settings: Failed GET request to '/?prefix=settings.motd': Status 500 when GETing /?prefix=settings.motd: Data store error during get_prefix 'settings.motd' for Live: Data store integrity violation at ${live}: Live datastore missing\n`,
        code: 1,
      });
      const patch = await request(socket, 'PATCH', '/settings/keypair?tx=t', '{"request_payload":["motd=x"]}');
      expect(patch.status).toBe(500);
      expect(patch.body).toStartWith(`Data store error during Failure in setting metadata.: IO error on '${sandbox.platform.paths.datastore}/pending/t/settings': Required key not available`);
      for (const [method, uri, body] of [['PATCH', '/settings', '{"motd":"x"}'], ['POST', '/tx/commit_and_apply?tx=t'], ['GET', '/tx/list'], ['GET', '/metadata/affected-services?keys=settings.motd'], ['GET', '/services']] as const) {
        expect({ uri, status: (await request(socket, method, uri, body)).status }).toEqual({ uri, status: 500 });
      }
      expect((await brkt('apiclient', ['-s', socket, 'set', 'motd=x'])).code).toBe(1);
      // The v2 routes read the datastore too: a pending transaction's key is gone, live is missing.
      expect((await get('/v2/tx?tx=t')).body).toStartWith(`Data store error during get_prefix 'settings.' for Pending { tx: "t" }: IO error on '${sandbox.platform.paths.datastore}/pending/t/settings': Required key not available`);
      expect((await get('/v2/metadata/setting-generators')).body).toContain('Live datastore missing');
      expect(await get('/os')).toMatchObject({ status: 200 });
      expect((await request(socket, 'POST', '/tx/apply')).status).toBe(204);

      // Restarting the API server alone does not unlock it: only a boot does.
      served.child.kill('SIGTERM');
      await served.finished;
    }
    {
      const alone = await spawnServing(['apiserver'], { root: sandbox.root });
      try {
        expect((await get('/settings')).status).toBe(500);
      } finally {
        alone.child.kill('SIGTERM');
        await alone.drained;
      }
    }
    {
      await using served = spawnBoot(sandbox.root, ['--serve']);
      await served.waitForLine('boot: serving the API on');
      expect((await get('/settings')).status).toBe(200);
      // And a reboot of a serving sandbox clears a lockdown too.
      expect((await brkt('apiclient', ['-s', socket, 'lockdown'])).code).toBe(0);
      expect((await get('/settings')).status).toBe(500);
      expect((await brkt('brkt', ['reboot'], { root: sandbox.root })).code).toBe(0);
      await served.waitForLine('boot: serving the API on', 2);
      expect((await get('/settings')).status).toBe(200);
      expect((await brkt('apiclient', ['-s', socket, 'set', 'motd=after reboot'])).code).toBe(0);
    }
  });

  test('apiclient lockdown with arguments sends nothing (exit 2)', async () => {
    await using api = await startApiServer();
    const extra = await brkt('apiclient', ['-s', api.socket, 'lockdown', 'x']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toStartWith('Unknown arguments: x\n\n');
    expect((await api.request('GET', '/settings')).status).toBe(200);
  });
});

describe('network configure (vector 11)', () => {
  test('valid net.toml replaces .bottlerocket/net.toml; invalid input leaves it alone', async () => {
    await using api = await startApiServer();
    const netToml = api.sandbox.path('.bottlerocket/net.toml');
    expect(existsSync(api.sandbox.path('.bottlerocket'))).toBe(false);

    const configured = await brkt('apiclient', ['-s', api.socket, 'network', 'configure', 'base64:dmVyc2lvbiA9IDIKCltldGgwXQpkaGNwNCA9IHRydWUK']);
    expect(configured).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(readFileSync(netToml, 'utf8')).toBe('version = 2\n\n[eth0]\ndhcp4 = true\n');

    expect(await api.request('POST', '/actions/network/configure', 'version = 99')).toMatchObject({
      status: 400,
      body: 'Invalid network configuration: Unknown network config version: 99',
    });
    const unknownField = await api.request('POST', '/actions/network/configure', 'version = 1\n[eth0]\ndhcp4 = true\nstatic4 = { addresses = ["10.0.0.2/24"] }\n');
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toStartWith('Invalid network configuration: eth0.static4: ');
    const notUtf8 = await fetch('http://localhost/actions/network/configure', { unix: api.socket, method: 'POST', body: new Uint8Array([0x76, 0xff, 0xfe]) } as RequestInit);
    expect({ status: notUtf8.status, body: await notUtf8.text() }).toEqual({ status: 400, body: 'Network configuration content is not valid UTF-8' });
    expect(readFileSync(netToml, 'utf8')).toBe('version = 2\n\n[eth0]\ndhcp4 = true\n');

    const file = api.sandbox.path('net-v3.toml');
    writeFileSync(file, 'version = 3\n[bond0]\nkind = "bond"\nmode = "active-backup"\ninterfaces = ["eno1", "eno2"]\ndhcp4 = true\n[bond0.monitoring]\nmiimon-frequency-ms = 100\nmiimon-updelay-ms = 200\nmiimon-downdelay-ms = 200\n');
    expect((await brkt('apiclient', ['-s', api.socket, 'network', 'configure', `file://${file}`])).code).toBe(0);
    expect(readFileSync(netToml, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });
});
