import { expect, test } from 'bun:test';
import { connectSsm } from './ssm-api';
import { runRollout, type RolloutEvent, type RolloutOptions } from './rollout';
import { updateCommandLine, VERSION_COMMAND_LINE } from './remote-commands';
import { startFakeSsm, type FakeInstanceSpec, type FakeSsm } from '../../../test/helpers/fake-ssm';

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

async function rollout(fake: FakeSsm, ids: string[], overrides: Partial<RolloutOptions> = {}) {
  const api = await connectSsm({ region: 'eu-west-1', endpoint: fake.endpoint, credentials });
  try {
    return await runRollout(api, {
      targets: { kind: 'instances', instanceIds: ids },
      document: 'AWS-RunShellScript',
      canary: 1, growth: 2, haltAtPercent: 50,
      timeoutMs: 300, pollMs: 5,
      updateCommandLine: updateCommandLine(), versionCommandLine: VERSION_COMMAND_LINE,
      ...overrides,
    });
  } finally {
    api.close();
  }
}

const hosts = (specs: Array<Omit<FakeInstanceSpec, 'id'>>) => specs.map((spec, i) => ({ id: id(i + 1), ...spec }));

test('every wave updates; hosts that answer late after their reboot count once they report the new version', async () => {
  await using fake = startFakeSsm({ instances: hosts([{ rebootQueries: 2 }, {}, { rebootQueries: 1 }, {}, {}]) });
  const events: RolloutEvent[] = [];
  const report = await rollout(fake, [1, 2, 3, 4, 5].map(id), { onEvent: event => events.push(event) });
  expect(report.halted).toBe(false);
  expect(report.waves.map(wave => [wave.wave, wave.instanceIds.length, wave.updated, wave.failed])).toEqual([[1, 1, 1, 0], [2, 2, 2, 0], [3, 2, 2, 0]]);
  expect(report.instances.every(instance => instance.outcome === 'updated' && instance.versionBefore === '1.0.0' && instance.versionAfter === '1.1.0')).toBe(true);
  // Host 1 was asked before the update, then three times after it (two refused while rebooting).
  expect(fake.linesSentTo(id(1))).toEqual(['apiclient get os', 'brkt update --now --reboot', 'apiclient get os', 'apiclient get os', 'apiclient get os']);
  expect(events.filter(event => event.kind === 'wave-start').map(event => event.kind === 'wave-start' && event.instanceIds)).toEqual([[id(1)], [id(2), id(3)], [id(4), id(5)]]);
  // Each wave's commands go to the whole wave at once and never stop at SSM's first error.
  expect(fake.calls('SendCommand').every(body => body.MaxConcurrency === '100%' && body.MaxErrors === '100%')).toBe(true);
});

test('a wave at the failure threshold halts the rollout and later waves are never touched', async () => {
  await using fake = startFakeSsm({ instances: hosts([{}, { update: 'fails' }, {}, {}, {}, {}, {}]) });
  const report = await rollout(fake, [1, 2, 3, 4, 5, 6, 7].map(id));
  expect(report.halted).toBe(true);
  expect(report.plannedWaves).toBe(3);
  expect(report.waves.map(wave => ({ wave: wave.wave, failed: wave.failed, share: wave.failureShare }))).toEqual([{ wave: 1, failed: 0, share: 0 }, { wave: 2, failed: 1, share: 50 }]);
  expect(report.instances.map(instance => [instance.instanceId, instance.wave, instance.outcome])).toEqual([
    [id(1), 1, 'updated'], [id(2), 2, 'failed'], [id(3), 2, 'updated'],
    [id(4), 3, 'not-updated'], [id(5), 3, 'not-updated'], [id(6), 3, 'not-updated'], [id(7), 3, 'not-updated'],
  ]);
  expect(report.instances[1]!.detail).toBe('Update command Failed (exit 1): Failed to write the update to the inactive partition set: No space left on device');
  for (const n of [4, 5, 6, 7]) expect(fake.linesSentTo(id(n))).toEqual([]);
  expect(fake.hosts.get(id(4))!.version).toBe('1.0.0');
});

test('hosts that roll back, vanish, or never answer fail the wave with a reason', async () => {
  await using fake = startFakeSsm({ instances: hosts([{}, { update: 'stays' }, { update: 'vanishes' }, { silent: true }]) });
  const report = await rollout(fake, [1, 2, 3, 4].map(id), { canary: 1, growth: 3, haltAtPercent: 100, timeoutMs: 150 });
  expect(report.halted).toBe(false);
  expect(report.instances.map(instance => [instance.outcome, instance.detail])).toEqual([
    ['updated', 'Updated 1.0.0 -> 1.1.0'],
    ['failed', 'Still reports 1.0.0 after 0.15s'],
    ['failed', 'Did not report a version within 0.15s'],
    ['failed', 'No version report before the update: InProgress'],
  ]);
  // The silent host is not sent the update: its version could not be read first.
  expect(fake.linesSentTo(id(4))).toEqual(['apiclient get os']);
});

test('with a target version, hosts already on it are skipped and the rest must reach it', async () => {
  await using fake = startFakeSsm({ instances: hosts([{ version: '1.2.0' }, {}, {}]) });
  const report = await rollout(fake, [1, 2, 3].map(id), { version: '1.2.0', updateCommandLine: updateCommandLine('1.2.0'), growth: 2 });
  expect(report.instances.map(instance => [instance.outcome, instance.versionAfter, instance.detail])).toEqual([
    ['updated', '1.2.0', 'Already at 1.2.0'],
    ['updated', '1.2.0', 'Updated 1.0.0 -> 1.2.0'],
    ['updated', '1.2.0', 'Updated 1.0.0 -> 1.2.0'],
  ]);
  expect(fake.linesSentTo(id(1))).toEqual(['apiclient get os']);
  expect(fake.linesSentTo(id(2))).toContain('brkt update --now --reboot --image 1.2.0');
});

test('tag targets are resolved through DescribeInstanceInformation, page by page, in ID order', async () => {
  await using fake = startFakeSsm({ pageSize: 2, instances: [
    { id: id(5), tags: { Name: 'web' } }, { id: id(2), tags: { Name: 'web' } }, { id: id(9), tags: { Name: 'db' } },
    { id: id(1), tags: { Name: 'web' } }, { id: id(7), tags: { Name: 'web', Env: 'prod' } },
  ] });
  const report = await rollout(fake, [], { targets: { kind: 'targets', targets: [{ Key: 'tag:Name', Values: ['web'] }] }, canary: 2 });
  expect(report.waves.map(wave => wave.instanceIds)).toEqual([[id(1), id(2)], [id(5), id(7)]]);
  expect(fake.calls('DescribeInstanceInformation').map(body => body.NextToken)).toEqual([undefined, '2']);
  expect(fake.linesSentTo(id(9))).toEqual([]);
});

test('no matching instance is an error before anything is sent', async () => {
  await using fake = startFakeSsm({ instances: [{ id: id(1), tags: { Name: 'db' } }] });
  await expect(rollout(fake, [], { targets: { kind: 'targets', targets: [{ Key: 'tag:Name', Values: ['web'] }] } }))
    .rejects.toMatchObject({ code: 'not-found', message: 'No managed instances match tag:Name=web' });
  expect(fake.calls('SendCommand')).toEqual([]);
});
