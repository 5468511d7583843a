// The update API (updates.md 6, api.md 8) on the real API server with brkt's UpdateActions:
// the state machine's transitions and refusals over HTTP, the lock (423) while a prepare runs,
// the status file, the version that prepare stages, and apiclient's update commands against it.
import { describe, expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { startApiServer, type ApiFixture } from '../helpers/api-server';
import { makeRebootAction, makeUpdateActions } from '../../src/core/update-api/actions';
import { inProcessUpdog, type UpdogOperations } from '../../src/core/update-api/updog-operations';
import type { RebootAction, UpdateActions } from '../../src/core/api/updates';
import { createSandboxDisk } from '../../src/core/bootloader/sandbox-disk';
import { createSandboxRepository } from '../../src/core/repo/sandbox-repo';
import { osReleaseFor } from '../../src/core/sandbox/init';
import { rootHead, sandboxRepoUrls, setView, writeUpdogToml } from './update-fixtures';

interface Gate {
  /** Resolves when a prepare has started (holding the lock). */
  entered: Promise<void>;
  release(): void;
}

/** The API server on a sandbox with a disk, the sandbox repository and updog.toml; `gate` holds prepares. */
async function updateApi(options: { gate?: boolean } = {}) {
  let actions: UpdateActions | undefined;
  let reboot: RebootAction | undefined;
  const fixture = await startApiServer({
    variant: 'aws-dev',
    updates: { status: () => actions!.status(), run: action => actions!.run(action) },
    reboot: () => reboot!(),
  });
  const { platform } = fixture.sandbox;
  await createSandboxDisk(platform, platform.paths.disk, osReleaseFor('1.0.0', 'aws-dev'));
  await createSandboxRepository(platform, 'aws-dev');
  writeUpdogToml(fixture.sandbox, sandboxRepoUrls(fixture.sandbox));
  let updog: UpdogOperations = inProcessUpdog(platform);
  let gate: Gate | undefined;
  if (options.gate) {
    let entered!: () => void;
    let release!: () => void;
    const open = new Promise<void>(resolve => (release = resolve));
    gate = { entered: new Promise<void>(resolve => (entered = resolve)), release };
    const real = updog;
    updog = { ...real, stage: async version => { entered(); await open; return real.stage(version); } };
  }
  actions = makeUpdateActions(platform, { updog });
  reboot = makeRebootAction(platform);
  return Object.assign(fixture, { gate });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** POSTs an action (204) and waits for its command in the status, as apiclient does. */
async function act(api: ApiFixture, path: string, command: string) {
  const before = await api.request('GET', '/updates/status');
  const stamp = before.status === 200 ? JSON.parse(before.body).most_recent_command?.timestamp : undefined;
  const posted = await api.request('POST', path);
  expect([posted.status, posted.body]).toEqual([204, '']);
  return waitFor(async () => {
    const reply = await api.request('GET', '/updates/status');
    if (reply.status !== 200) return undefined;
    const status = JSON.parse(reply.body);
    return status.most_recent_command?.cmd_type === command && status.most_recent_command.timestamp !== stamp ? status : undefined;
  }, `${command} to finish`);
}

describe('the update state machine over HTTP (updates.md 6.4)', () => {
  test('refresh, prepare (locked while it runs), activate, deactivate, and every refusal', async () => {
    await using api = await updateApi({ gate: true });
    expect(await api.request('GET', '/updates/status')).toMatchObject({ status: 404, body: 'Update status is uninitialized, refresh-updates to initialize it' });
    // Vector 24: prepare in Idle is not allowed (the status file is created by the attempt).
    expect(await api.request('POST', '/actions/prepare-update')).toMatchObject({ status: 409, body: 'Update action not allowed according to update state' });
    expect(await api.request('POST', '/actions/activate-update')).toMatchObject({ status: 409 });
    const idle = JSON.parse((await api.request('GET', '/updates/status')).body);
    expect(idle).toEqual({
      update_state: 'Idle', available_updates: [], chosen_update: null,
      active_partition: { image: { arch: api.sandbox.platform.arch, version: '1.0.0', variant: 'aws-dev' }, next_to_boot: true },
      staging_partition: null, most_recent_command: null,
    });

    const available = await act(api, '/actions/refresh-updates', 'refresh');
    expect(available).toMatchObject({ update_state: 'Available', available_updates: ['1.2.0', '1.1.0'], chosen_update: { version: '1.2.0', variant: 'aws-dev' }, most_recent_command: { cmd_status: 'Success', exit_status: 0, stderr: '' } });
    expect(available.most_recent_command.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);

    // While prepare holds the lock: status and other actions answer 423.
    expect((await api.request('POST', '/actions/prepare-update')).status).toBe(204);
    await api.gate!.entered;
    expect(await api.request('GET', '/updates/status')).toMatchObject({ status: 423 });
    expect(await api.request('POST', '/actions/refresh-updates')).toMatchObject({ status: 423, body: 'Update lock held' });
    api.gate!.release();
    const staged = await waitFor(async () => {
      const reply = await api.request('GET', '/updates/status');
      return reply.status === 200 && JSON.parse(reply.body).most_recent_command.cmd_type === 'prepare' ? JSON.parse(reply.body) : undefined;
    }, 'prepare');
    expect(staged).toMatchObject({ update_state: 'Staged', staging_partition: { image: { version: '1.2.0' }, next_to_boot: false }, most_recent_command: { cmd_status: 'Success', stderr: 'Starting update to 1.2.0\n' } });
    expect((await setView(api.sandbox, 'B')).flags).toEqual({ priority: 0, triesLeft: 1, successful: false });
    expect(await api.request('POST', '/actions/deactivate-update')).toMatchObject({ status: 409 });

    const ready = await act(api, '/actions/activate-update', 'activate');
    expect(ready).toMatchObject({ update_state: 'Ready', active_partition: { next_to_boot: false }, staging_partition: { next_to_boot: true } });
    expect((await setView(api.sandbox, 'B')).flags.priority).toBe(2);
    expect(await api.request('POST', '/actions/prepare-update')).toMatchObject({ status: 409 });
    // Refresh in Ready recomputes the lists but keeps the state.
    expect(await act(api, '/actions/refresh-updates', 'refresh')).toMatchObject({ update_state: 'Ready', chosen_update: { version: '1.2.0' } });

    const back = await act(api, '/actions/deactivate-update', 'deactivate');
    expect(back).toMatchObject({ update_state: 'Staged', active_partition: { next_to_boot: true }, staging_partition: { next_to_boot: false } });
    expect((await setView(api.sandbox, 'B')).flags.priority).toBe(0);
    // The file holds the same document, pretty-printed.
    expect(JSON.parse(readFileSync(api.sandbox.path('run/cache/thar-be-updates/status.json'), 'utf8'))).toEqual(back);
  });

  test('66 and 67: prepare without a chosen update, activate without a staged image (vector 25)', async () => {
    await using api = await updateApi();
    await act(api, '/actions/refresh-updates', 'refresh');
    const path = api.sandbox.path('run/cache/thar-be-updates/status.json');
    const status = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...status, chosen_update: null }));
    expect(await api.request('POST', '/actions/prepare-update')).toMatchObject({ status: 404, body: 'Previously chosen Update no longer exists' });
    writeFileSync(path, JSON.stringify({ ...status, update_state: 'Staged', staging_partition: null }));
    expect(await api.request('POST', '/actions/activate-update')).toMatchObject({ status: 404, body: 'No update image applied to staging partition' });
    writeFileSync(path, '{"update_state": "Bogus"}');
    expect(await api.request('GET', '/updates/status')).toMatchObject({ status: 500 });
  });

  test('prepare stages exactly the version refresh chose (upstream re-selects and may stage another)', async () => {
    await using api = await updateApi();
    // thar-be-updates' lock picks 1.1.0; updog's own config would pick 1.2.0.
    writeFileSync(api.sandbox.path('etc/thar-be-updates.toml'), 'version-lock = "v1.1.0"\n');
    expect(await act(api, '/actions/refresh-updates', 'refresh')).toMatchObject({ update_state: 'Available', chosen_update: { version: '1.1.0' }, available_updates: ['1.2.0', '1.1.0'] });
    expect(await act(api, '/actions/prepare-update', 'prepare')).toMatchObject({ update_state: 'Staged', staging_partition: { image: { version: '1.1.0' } } });
    expect(await rootHead(api.sandbox, 'B', 400)).toContain('VERSION_ID=1.1.0');
  });

  test('a failed prepare is recorded and leaves the state; a failed refresh goes back to Idle', async () => {
    await using api = await updateApi();
    await act(api, '/actions/refresh-updates', 'refresh');
    writeUpdogToml(api.sandbox, sandboxRepoUrls(api.sandbox), 'paused = true');
    const paused = await act(api, '/actions/prepare-update', 'prepare');
    expect(paused).toMatchObject({ update_state: 'Available', staging_partition: null, most_recent_command: { cmd_status: 'Failed', exit_status: 1 } });
    expect(paused.most_recent_command.stderr).toBe('Updates are paused (settings.updates.paused is true): not staging an update; set it to false to continue\n');
    writeFileSync(api.sandbox.path('etc/updog.toml'), 'seed = 1\n');
    const failed = await act(api, '/actions/refresh-updates', 'refresh');
    expect(failed).toMatchObject({ update_state: 'Idle', available_updates: ['1.2.0', '1.1.0'], most_recent_command: { cmd_status: 'Failed', exit_status: 1 } });
    expect(failed.most_recent_command.stderr).toContain('metadata_base_url is missing');
  });
});

describe("apiclient's update commands against this API (apiclient.md 6)", () => {
  test('update check, update apply --reboot and update cancel', async () => {
    await using api = await updateApi();
    const root = api.sandbox.root;
    const check = await brkt('apiclient', ['update', 'check'], { root });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ update_state: 'Available', chosen_update: { version: '1.2.0' } });

    const apply = await brkt('apiclient', ['update', 'apply'], { root });
    expect(apply.code).toBe(0);
    expect(JSON.parse((await api.request('GET', '/updates/status')).body)).toMatchObject({ update_state: 'Ready' });
    const cancel = await brkt('apiclient', ['update', 'cancel'], { root });
    expect([cancel.code, cancel.stdout]).toEqual([0, '']);
    const again = await brkt('apiclient', ['update', 'cancel'], { root });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('409');

    expect((await brkt('apiclient', ['update', 'apply', '--reboot'], { root })).code).toBe(0);
    // No serving boot process here: the reboot action ran the sandbox bootloader.
    expect(readFileSync(api.sandbox.path('etc/os-release'), 'utf8')).toContain('VERSION_ID=1.2.0');
  });
});
