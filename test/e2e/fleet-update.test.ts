// brkt fleet update, end to end: rolling waves against a fake SSM endpoint whose simulated
// hosts update, fail, roll back or never answer.
import { expect, test } from 'bun:test';
import { brkt, BRKT_BIN, testEnv } from '../helpers/brkt';
import { withTool } from '../helpers/tools';
import { startFakeSsm, type FakeInstanceSpec, type FakeSsm } from '../helpers/fake-ssm';

const awsEnv = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-central-1' };
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const web = (specs: Array<Omit<FakeInstanceSpec, 'id'>>) => specs.map((spec, i) => ({ id: id(i + 1), tags: { Name: 'web' }, ...spec }));

/** `timeout` bounds how long a host may take to come back; generous where every host does. */
function update(fake: FakeSsm, args: string[], timeout = '10') {
  return brkt('brkt', ['fleet', 'update', '--endpoint', fake.endpoint, '--poll-interval', '0.01', '--timeout', timeout, ...args], { env: awsEnv });
}

test.concurrent('a failing wave halts the rollout: the table says what was updated and what was not, and later waves get nothing', async () => {
  await using fake = startFakeSsm({ instances: web([{}, {}, { update: 'fails' }, {}, {}, {}, {}, {}]) });
  const result = await update(fake, ['--targets', 'key=tag:Name,values=web', '--canary', '1', '--growth', '2', '--halt-at', '50%']);
  expect(result).toEqual({
    stdout: [
      'WAVE  INSTANCE             RESULT       BEFORE  AFTER  DETAIL',
      `1     ${id(1)}  updated      1.0.0   1.1.0  Updated 1.0.0 -> 1.1.0`,
      `2     ${id(2)}  updated      1.0.0   1.1.0  Updated 1.0.0 -> 1.1.0`,
      `2     ${id(3)}  failed       1.0.0   -      Update command Failed (exit 1): Failed to write the update to the inactive partition set: No space left on device`,
      `3     ${id(4)}  not-updated  -       -      Not reached: the rollout halted after wave 2`,
      `3     ${id(5)}  not-updated  -       -      Not reached: the rollout halted after wave 2`,
      `3     ${id(6)}  not-updated  -       -      Not reached: the rollout halted after wave 2`,
      `3     ${id(7)}  not-updated  -       -      Not reached: the rollout halted after wave 2`,
      `4     ${id(8)}  not-updated  -       -      Not reached: the rollout halted after wave 2`,
      'Rollout halted after wave 2 of 4: 1 of 2 failed (50%, --halt-at 50%)',
      `Updated (2): ${id(1)} ${id(2)}`,
      `Failed (1): ${id(3)}`,
      `Not updated (5): ${id(4)} ${id(5)} ${id(6)} ${id(7)} ${id(8)}`,
      '',
    ].join('\n'),
    stderr: 'brkt: Rollout halted after wave 2 of 4: 1 of 2 instances failed\n',
    code: 1,
  });
  // The later waves' instances were never sent a command, neither by ID nor through a target.
  for (const n of [4, 5, 6, 7, 8]) {
    expect(fake.linesSentTo(id(n))).toEqual([]);
    expect(fake.hosts.get(id(n))!.version).toBe('1.0.0');
  }
  expect(fake.calls('SendCommand').every(body => body.Targets === undefined)).toBe(true);
  expect(fake.linesSentTo(id(2))).toEqual(['apiclient get os', 'brkt update --now --reboot', 'apiclient get os']);
});

test.concurrent('every wave reports the new version: exit 0 and JSON with each instance', async () => {
  await using fake = startFakeSsm({ instances: web([{ rebootQueries: 2 }, { rebootQueries: 1 }, {}]) });
  const result = await update(fake, ['--instance-ids', [1, 2, 3].map(id).join(','), '--to-version', '1.4.0', '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout);
  expect(report).toMatchObject({ halted: false, plannedWaves: 2, updated: [id(1), id(2), id(3)], failed: [], notUpdated: [] });
  expect(report.waves).toEqual([
    { wave: 1, instanceIds: [id(1)], updated: 1, failed: 0, failureShare: 0 },
    { wave: 2, instanceIds: [id(2), id(3)], updated: 2, failed: 0, failureShare: 0 },
  ]);
  expect(report.instances[0]).toEqual({ instanceId: id(1), wave: 1, outcome: 'updated', versionBefore: '1.0.0', versionAfter: '1.4.0', detail: 'Updated 1.0.0 -> 1.4.0' });
  expect(fake.linesSentTo(id(3))).toContain('brkt update --now --reboot --image 1.4.0');
});

test.concurrent('hosts that vanish after the update or keep the old version fail within --timeout', async () => {
  await using fake = startFakeSsm({ instances: web([{}, { update: 'vanishes' }, { update: 'stays' }]) });
  const result = await update(fake, ['--targets', 'key=tag-key,values=Name', '--growth', '2', '--halt-at', '100%', '--update-command', 'brkt update --now --reboot'], '2');
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('');
  expect(result.stdout.split('\n').slice(1, 4)).toEqual([
    `1     ${id(1)}  updated  1.0.0   1.1.0  Updated 1.0.0 -> 1.1.0`,
    `2     ${id(2)}  failed   1.0.0   -      Did not report a version within 2s`,
    `2     ${id(3)}  failed   1.0.0   -      Still reports 1.0.0 after 2s`,
  ]);
  expect(result.stdout).toContain('Rollout finished: 2 of 2 waves\n');
});

test.concurrent('a throttled DescribeInstanceInformation is retried; tags that match nothing are an error', async () => {
  await using fake = startFakeSsm({ instances: web([{}]) });
  fake.throttle('DescribeInstanceInformation');
  expect((await update(fake, ['--targets', 'key=tag:Name,values=web'])).code).toBe(0);
  expect(fake.requests.filter(request => request.operation === 'DescribeInstanceInformation')).toHaveLength(2);
  expect(await update(fake, ['--targets', 'key=tag:Name,values=api'])).toEqual({ stdout: '', stderr: 'brkt: No managed instances match tag:Name=api\n', code: 1 });
});

withTool('script')('on a terminal a live progress line is shown; in a pipe it is not', async () => {
  await using fake = startFakeSsm({ instances: web([{}]) });
  const args = ['fleet', 'run', '--endpoint', fake.endpoint, '--poll-interval', '0.01', '--instance-ids', id(1), '--', 'settings', 'get', 'motd'];
  // script(1) gives brkt a pseudo-terminal; its output is what the terminal would show.
  const line = ['exec', BRKT_BIN, ...args].map(word => `'${word}'`).join(' ');
  const proc = Bun.spawn({ cmd: ['script', '-qec', line, '/dev/null'], env: { ...testEnv, ...awsEnv }, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' });
  const [terminal, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(code).toBe(0);
  expect(terminal).toContain('\r\x1b[K0 done, 0 failed, 1 pending');
  expect(terminal).toContain('\r\x1b[K1 done, 0 failed, 0 pending');
  const piped = await brkt('brkt', args, { env: awsEnv });
  expect(piped.stderr).toBe('');
  expect(piped.stdout).not.toContain('\x1b');
});
