// The compiled binary: `brkt apiserver` / `apiserver`, `brkt api`, `brkt boot [--serve]`,
// `brkt settings schema`, and the socket's lifecycle (mode, stale file, live server, signals).
import { describe, expect, test } from 'bun:test';
import { existsSync, readlinkSync, statSync } from 'node:fs';
import Ajv from 'ajv';
import { brkt } from '../helpers/brkt';
import { prepareRoot, spawnServing } from '../helpers/api-server';
import { makeSandbox, makeTempDir } from '../helpers/sandbox';
import { variantDefaults } from '../../src/core/model/defaults';
import { assemble } from '../../src/core/datastore/pairs';

async function preparedRoot(variant = 'aws-dev') {
  const sandbox = await makeSandbox({ init: false });
  await prepareRoot(sandbox, variant, '1.0.0');
  return sandbox;
}

describe('brkt apiserver and brkt api', () => {
  test('serves on a 0660 socket, answers brkt api, stops on SIGTERM and removes the socket', async () => {
    await using sandbox = await preparedRoot();
    const server = await spawnServing(['apiserver'], { root: sandbox.root });
    const socket = sandbox.path('run/api.sock');
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o660);

    expect(await brkt('brkt', ['api', '-u', '/settings?keys=settings.motd'], { root: sandbox.root })).toEqual({ stdout: '{"motd":"Welcome to Bottlerocket!"}\n', stderr: '', code: 0 });
    expect(await brkt('brkt', ['api', '-m', 'PATCH', '-u', '/settings', '-d', '{"motd":"from the cli"}'], { root: sandbox.root })).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(await brkt('brkt', ['api', '-m', 'POST', '-u', '/tx/commit'], { root: sandbox.root })).toEqual({ stdout: '["settings.motd"]\n', stderr: '', code: 0 });
    const bad = await brkt('brkt', ['api', '-m', 'PATCH', '-u', '/settings', '-d', '{"motd":42}'], { root: sandbox.root });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toStartWith("brkt: PATCH /settings failed with status 400: Json deserialize error: invalid type: integer `42`, expected a string at key 'settings.motd'");

    // A second server on the same live socket is refused: it already meets the first one's lock on the datastore.
    const second = await brkt('brkt', ['apiserver'], { root: sandbox.root });
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(`brkt apiserver: Another API server is already serving the datastore at ${sandbox.path('var/lib/bottlerocket/datastore/current')}\n`);

    server.child.kill('SIGTERM');
    expect(await server.child.exited).toBe(0);
    await server.drained;
    expect(server.output()).toContain('SIGTERM received, stopping');
    expect(existsSync(socket)).toBe(false);

    const down = await brkt('brkt', ['api', '-u', '/settings'], { root: sandbox.root });
    expect(down.code).toBe(1);
    expect(down.stderr).toStartWith(`brkt: Failed to reach the API on ${socket}`);
  });

  test('a stale socket left by a killed server is replaced', async () => {
    await using sandbox = await preparedRoot();
    const first = await spawnServing(['apiserver'], { root: sandbox.root });
    first.child.kill('SIGKILL');
    await first.child.exited;
    expect(statSync(sandbox.path('run/api.sock')).isSocket()).toBe(true); // left behind
    const second = await spawnServing(['apiserver'], { root: sandbox.root });
    expect((await brkt('brkt', ['api', '-u', '/os?prefix=variant_id'], { root: sandbox.root })).stdout).toBe('{"variant_id":"aws-dev"}\n');
    second.child.kill('SIGINT');
    expect(await second.child.exited).toBe(0);
  });

  test('the apiserver role keeps upstream flags and exit codes', async () => {
    await using sandbox = await preparedRoot();
    const missing = await brkt('apiserver', [], { root: sandbox.root });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toStartWith('apiserver: --datastore-path is required\nUsage: apiserver --datastore-path PATH');
    const unknown = await brkt('apiserver', ['--datastore-path', '/x', '--bogus', '1'], { root: sandbox.root });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toStartWith("apiserver: unknown argument '--bogus'");
    expect(await brkt('apiserver', ['--datastore-path', '/var/lib/nope'], { root: sandbox.root })).toEqual({ stdout: '', stderr: 'Datastore does not exist, did storewolf run?\n', code: 1 });
    const server = await spawnServing(['--datastore-path', '/var/lib/bottlerocket/datastore/current', '--socket-path', '/run/other.sock'], { root: sandbox.root, argv0: 'apiserver' });
    expect(existsSync(sandbox.path('run/other.sock'))).toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.child.exited).toBe(0);
    expect(existsSync(sandbox.path('run/other.sock'))).toBe(false);
  });
});

describe('brkt boot', () => {
  test('first boot creates the datastore and commits the defaults; the next boot keeps them', async () => {
    await using sandbox = await makeSandbox({ variant: 'aws-k8s-1.16' });
    const first = await brkt('brkt', ['boot'], { root: sandbox.root });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/boot: storewolf: created the 1\.0\.0 datastore, 10 defaults staged in bottlerocket-launch, \d+ written live\n/);
    expect(first.stdout).toContain(`boot: apiserver: serving on ${sandbox.path('run/api.sock')}\n`);
    // sundog commits bottlerocket-launch first (settings-committer): the 10 defaults and the region.
    expect(first.stdout).toMatch(/\nboot: sundog: committed 11 keys; generated /);
    expect(existsSync(sandbox.path('run/api.sock'))).toBe(false); // no --serve: stopped at the end
    expect(readlinkSync(sandbox.path('var/lib/bottlerocket/datastore/current'))).toBe('v1');

    const second = await brkt('brkt', ['boot'], { root: sandbox.root });
    expect(second.stdout).toContain('boot: storewolf: 0 defaults staged in bottlerocket-launch, 0 written live\n');
    expect(second.stdout).toContain('boot: sundog: nothing to commit; nothing to generate\n');
  });

  test('boot --serve keeps serving the booted settings until SIGTERM', async () => {
    await using sandbox = await makeSandbox({ variant: 'aws-ecs-1' });
    const booted = await spawnServing(['boot', '--serve'], { root: sandbox.root });
    const settings = JSON.parse((await brkt('brkt', ['api', '-u', '/settings'], { root: sandbox.root })).stdout);
    expect(settings.ecs).toEqual({ 'allow-privileged-containers': false, 'logging-drivers': ['json-file', 'awslogs', 'none'], loglevel: 'info' });
    expect(settings.kubernetes).toBeUndefined();
    booted.child.kill('SIGTERM');
    expect(await booted.child.exited).toBe(0);
    expect(existsSync(sandbox.path('run/api.sock'))).toBe(false);
  });

  test('dev init refuses a variant brkt does not ship', async () => {
    await using dir = makeTempDir();
    const result = await brkt('brkt', ['dev', 'init', '--variant', 'aws-k8s-1.99', dir.path('sb')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("brkt: Unknown variant 'aws-k8s-1.99': brkt ships the defaults of aws-dev, aws-ecs-1, aws-k8s-1.15, aws-k8s-1.16, aws-k8s-1.17, aws-k8s-1.31, aws-ecs-2\n");
  });
});

describe('brkt settings schema', () => {
  test.each(['aws-dev', 'aws-ecs-1', 'aws-k8s-1.15', 'aws-k8s-1.16', 'aws-k8s-1.17', 'aws-k8s-1.31', 'aws-ecs-2'])('%s: a JSON Schema its own defaults satisfy', async variant => {
    const result = await brkt('brkt', ['settings', 'schema', '--variant', variant]);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.additionalProperties).toBe(false);
    expect('kubernetes' in schema.properties).toBe(variant.startsWith('aws-k8s'));
    expect('ecs' in schema.properties).toBe(variant.startsWith('aws-ecs'));
    const validate = new Ajv({ strict: false }).compile(schema);
    const defaults = assemble(variantDefaults(variant).settings.map(pair => ({ segments: pair.key.segments, text: pair.text })), 1).value;
    expect(validate(defaults)).toBe(true);
    expect(validate({ ...(defaults as object), motd: 42 })).toBe(false);
    expect(validate({ updates: { seed: 4096 } })).toBe(false);
  });
});
