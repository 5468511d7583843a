// A host with 10,000 settings keys (custom host containers, three keys each): one transaction
// is staged, committed and applied, the host reboots and serves them all, the history and the
// log bundle hold them, and the migrator carries them to a new version. Speed is the benchmark's
// business (bench/scale.ts); this test shows every path works at that size.
import { expect, test } from 'bun:test';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeSandbox } from '../helpers/sandbox';
import { request } from '../helpers/api-server';
import { osReleaseFor } from '../../src/core/sandbox/init';

const KEYS = 10_000;
const CONTAINERS = Math.ceil(KEYS / 3);

function containers(): Record<string, { source: string; enabled: boolean; superpowered: boolean }> {
  const out: Record<string, { source: string; enabled: boolean; superpowered: boolean }> = {};
  for (let i = 0; i < CONTAINERS; i++) out[`c${i}`] = { source: `registry.example.com/team/c${i}:v1`, enabled: false, superpowered: i % 2 === 0 };
  return out;
}

test('10,000 keys: staged, committed and applied in one transaction, kept across a reboot and a version change', async () => {
  await using sandbox = await makeSandbox();
  const socket = sandbox.path('run/api.sock');
  const wanted = containers();
  {
    await using boot = spawnBoot(sandbox.root, ['--serve']);
    await boot.waitForLine('boot: serving the API on');

    const patched = await request(socket, 'PATCH', '/settings?tx=scale', JSON.stringify({ 'host-containers': wanted }));
    expect(patched.status).toBe(204);
    const committed = await request(socket, 'POST', '/tx/commit_and_apply?tx=scale');
    expect(committed.status).toBe(200);
    expect((JSON.parse(committed.body) as string[]).length).toBe(CONTAINERS * 3);

    // Applied: the host-containers service's restart command ran once for the whole commit.
    const restarts = readFileSync(sandbox.path('var/log/brkt/restarts.log'), 'utf8').trim().split('\n').map(line => JSON.parse(line));
    const last = restarts.filter(entry => entry.service === 'host-containers').at(-1);
    expect(last.changedKeys.length).toBe(CONTAINERS * 3);

    const served = async () => (JSON.parse((await request(socket, 'GET', '/settings')).body) as { 'host-containers': Record<string, unknown> })['host-containers'];
    const before = await served();
    for (const [name, value] of Object.entries(wanted)) expect(before[name]).toEqual(value);

    expect((await brkt('brkt', ['reboot'], { root: sandbox.root })).code).toBe(0);
    await boot.waitForLine('boot: serving the API on', 2);
    expect(await served()).toEqual(before);

    // The history keeps the commit with every change.
    const history = await brkt('brkt', ['settings', 'history', '--json'], { root: sandbox.root });
    expect(history.code).toBe(0);
    const entries = JSON.parse(history.stdout) as Array<{ tx: string; changes: Array<{ key: string }> }>;
    expect(entries.find(entry => entry.tx === 'scale')?.changes.length).toBe(CONTAINERS * 3);

    // The log bundle holds the settings (redacted where secret), all of them.
    const bundle = sandbox.path('bundle.tar.gz');
    const logs = await brkt('brkt', ['logs', '--output', bundle], { root: sandbox.root });
    expect(logs.code).toBe(0);
    const settingsFile = Bun.spawnSync({ cmd: ['tar', '-xzOf', bundle, '--wildcards', '*settings.json'] });
    expect(settingsFile.exitCode).toBe(0);
    expect(Object.keys(JSON.parse(settingsFile.stdout.toString()).settings['host-containers']).length).toBeGreaterThanOrEqual(CONTAINERS);
  }


  // A version change copies every kept key into the new datastore.
  mkdirSync(sandbox.path('var/lib/bottlerocket-migrations'), { recursive: true });
  writeFileSync(sandbox.path('var/lib/bottlerocket-migrations/manifest.json'), JSON.stringify({ updates: [], migrations: { '(1.0.0, 1.1.0)': [] } }));
  writeFileSync(sandbox.path('etc/os-release'), osReleaseFor('1.1.0', 'aws-dev'));
  const migrated = await brkt('brkt', ['migrator'], { root: sandbox.root });
  expect(migrated).toMatchObject({ code: 0, stderr: '' });
  {
    await using boot = spawnBoot(sandbox.root, ['--serve']);
    await boot.waitForLine('boot: serving the API on');
    const after = (JSON.parse((await request(socket, 'GET', '/settings')).body) as { 'host-containers': Record<string, unknown> })['host-containers'];
    for (const [name, value] of Object.entries(wanted)) expect(after[name]).toEqual(value);
  }
});
