import { expect, test } from 'bun:test';
import { connectSsm } from './ssm-api';
import { runFleetCommand, type FleetProgress } from './run-command';
import { startFakeSsm, type FakeSsm } from '../../../test/helpers/fake-ssm';

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const connect = (fake: FakeSsm) => connectSsm({ region: 'eu-west-1', endpoint: fake.endpoint, credentials });
const wait = { timeoutMs: 5000, pollMs: 5 };

test('more than 50 instances become several commands; results come back through every page', async () => {
  await using fake = startFakeSsm({ instances: Array.from({ length: 60 }, (_, i) => ({ id: id(i + 1) })), pageSize: 7 });
  const api = await connect(fake);
  const progress: FleetProgress[] = [];
  const ids = Array.from({ length: 60 }, (_, i) => id(60 - i));
  const result = await runFleetCommand(api, { document: 'AWS-RunShellScript', commandLine: 'brkt settings get motd', targets: { kind: 'instances', instanceIds: ids } }, { ...wait, onProgress: p => progress.push(p) });
  api.close();
  expect(fake.calls('SendCommand').map(body => body.InstanceIds.length)).toEqual([50, 10]);
  expect(result.instances.map(instance => instance.instanceId)).toEqual(ids);
  expect(result.instances.every(instance => instance.status === 'Success' && instance.exitCode === 0 && instance.firstLine === '{"settings":{"motd":"Welcome to Bottlerocket!"}}')).toBe(true);
  expect(result).toMatchObject({ succeeded: true, timedOut: false, commandIds: [expect.any(String), expect.any(String)] });
  expect(progress[0]).toEqual({ done: 0, failed: 0, pending: 60 });
  expect(progress.at(-1)).toEqual({ done: 60, failed: 0, pending: 0 });
  // 60 invocations in pages of 7 (up to 50 a command): 8 + 2 ListCommandInvocations calls.
  expect(fake.calls('ListCommandInvocations')).toHaveLength(10);
});

test('an instance that never answers is reported as unfinished at the timeout', async () => {
  await using fake = startFakeSsm({ instances: [{ id: id(1) }, { id: id(2), silent: true }] });
  const api = await connect(fake);
  const result = await runFleetCommand(api, { document: 'AWS-RunShellScript', commandLine: 'apiclient get os', targets: { kind: 'instances', instanceIds: [id(1), id(2)] } }, { timeoutMs: 100, pollMs: 10 });
  api.close();
  expect(result.timedOut).toBe(true);
  expect(result.succeeded).toBe(false);
  expect(result.instances.map(({ instanceId, status, exitCode }) => ({ instanceId, status, exitCode }))).toEqual([
    { instanceId: id(1), status: 'Success', exitCode: 0 },
    { instanceId: id(2), status: 'InProgress', exitCode: undefined },
  ]);
});

test('tag targets are sent as SSM targets, with the rates given', async () => {
  await using fake = startFakeSsm({ instances: [{ id: id(3), tags: { Name: 'web' } }, { id: id(1), tags: { Name: 'web' } }, { id: id(2), tags: { Name: 'db' } }] });
  const api = await connect(fake);
  const result = await runFleetCommand(api, {
    document: 'AWS-RunShellScript', commandLine: 'brkt nope', targets: { kind: 'targets', targets: [{ Key: 'tag:Name', Values: ['web'] }] }, maxConcurrency: '10%', maxErrors: '1',
  }, wait);
  api.close();
  expect(fake.calls('SendCommand')).toEqual([{
    DocumentName: 'AWS-RunShellScript',
    Parameters: { commands: ['brkt nope'] },
    Targets: [{ Key: 'tag:Name', Values: ['web'] }],
    MaxConcurrency: '10%',
    MaxErrors: '1',
  }]);
  expect(result.instances.map(({ instanceId, status, exitCode, firstLine }) => ({ instanceId, status, exitCode, firstLine }))).toEqual([
    { instanceId: id(1), status: 'Failed', exitCode: 127, firstLine: 'sh: line 1: brkt: command not found' },
    { instanceId: id(3), status: 'Failed', exitCode: 127, firstLine: 'sh: line 1: brkt: command not found' },
  ]);
});

test('a throttled call is retried by the SDK', async () => {
  await using fake = startFakeSsm({ instances: [{ id: id(1) }] });
  fake.throttle('SendCommand');
  const api = await connect(fake);
  const result = await runFleetCommand(api, { document: 'AWS-RunShellScript', commandLine: 'apiclient get os', targets: { kind: 'instances', instanceIds: [id(1)] } }, wait);
  api.close();
  expect(result.succeeded).toBe(true);
  expect(fake.requests.filter(request => request.operation === 'SendCommand')).toHaveLength(2);
  expect(fake.calls('SendCommand')[0]).toEqual(fake.calls('SendCommand')[1]!);
});

test('an API error names the call and the AWS error code', async () => {
  await using fake = startFakeSsm({ instances: [{ id: id(1) }] });
  const api = await connect(fake);
  const run = runFleetCommand(api, { document: 'Custom-Nope', commandLine: 'apiclient get os', targets: { kind: 'instances', instanceIds: [id(1)] } }, wait);
  await expect(run).rejects.toMatchObject({ code: 'unavailable', message: 'SSM SendCommand failed: InvalidDocument: Document Custom-Nope does not exist' });
  api.close();
});
