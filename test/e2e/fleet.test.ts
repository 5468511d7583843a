// brkt fleet run / settings set, end to end: the compiled binary against a fake SSM endpoint.
import { describe, expect, test } from 'bun:test';
import { brkt, testEnv } from '../helpers/brkt';
import { makeTempDir } from '../helpers/sandbox';
import { startFakeSsm, type FakeSsm } from '../helpers/fake-ssm';

const A = 'i-0123456789abcdef0';
const B = 'i-0fedcba9876543210';
const C = 'i-00000000000000c0c';

// Dummy credentials and region: the SDK signs with them; the fake records the signature.
const awsEnv = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-west-2' };
const fast = ['--poll-interval', '0.01'];

function fleet(fake: FakeSsm, args: string[], env: Record<string, string> = awsEnv) {
  const [sub, ...rest] = args;
  const words = sub === 'settings' ? [rest.shift()!] : [];
  return brkt('brkt', ['fleet', sub!, ...words, '--endpoint', fake.endpoint, ...fast, ...rest], { env });
}

const web = () => startFakeSsm({ instances: [
  { id: A, tags: { Name: 'web' }, settings: { motd: 'hello a' } },
  { id: B, tags: { Name: 'web' }, settings: { motd: 'hello b' } },
  { id: C, tags: { Name: 'db' } },
] });

describe('brkt fleet run', () => {
  test.concurrent('runs brkt ARGS on each instance and prints one row per instance', async () => {
    await using fake = web();
    const result = await fleet(fake, ['run', '--instance-ids', `${A},${B}`, '--', 'settings', 'get', 'motd']);
    expect(result).toEqual({
      stdout: [
        'INSTANCE             STATUS   EXIT  OUTPUT',
        `${A}  Success  0     {"settings":{"motd":"hello a"}}`,
        `${B}  Success  0     {"settings":{"motd":"hello b"}}`,
        '2 done, 0 failed, 0 pending',
        '',
      ].join('\n'),
      stderr: '',
      code: 0,
    });
    expect(fake.calls('SendCommand')).toEqual([{ DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['brkt settings get motd'] }, InstanceIds: [A, B] }]);
    // Signed with the credentials and region from the environment, for the ssm service.
    expect(fake.requests[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-west-2\/ssm\/aws4_request, /);
  });

  test.concurrent('tag targets, a custom document and SSM rates are passed through; --json prints every field', async () => {
    await using fake = startFakeSsm({ documents: ['Bottlerocket-Admin'], instances: [{ id: A, tags: { Name: 'web' } }, { id: C, tags: { Name: 'db' } }] });
    const result = await fleet(fake, ['run', '--targets', 'key=tag:Name,values=web', '--document', 'Bottlerocket-Admin', '--max-concurrency', '10%', '--max-errors', '2', '--json', '--', 'apiclient', 'set', 'motd=hi there']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [send] = fake.calls('SendCommand');
    expect(send).toEqual({ DocumentName: 'Bottlerocket-Admin', Parameters: { commands: ["apiclient set 'motd=hi there'"] }, Targets: [{ Key: 'tag:Name', Values: ['web'] }], MaxConcurrency: '10%', MaxErrors: '2' });
    const commandId = JSON.parse(result.stdout).commandIds[0];
    expect(JSON.parse(result.stdout)).toEqual({
      commandIds: [commandId], succeeded: true, timedOut: false, done: 1, failed: 0, pending: 0,
      instances: [{ instanceId: A, commandId, status: 'Success', exitCode: 0, output: '' }],
    });
    expect(fake.hosts.get(A)!.settings.motd).toBe('hi there');
    expect(fake.hosts.get(C)!.settings.motd).toBe('Welcome to Bottlerocket!');
  });

  test.concurrent('a failing instance makes the run fail (exit 1) and shows its error line', async () => {
    await using fake = web();
    const result = await fleet(fake, ['run', '--targets', 'Key=tag-key,Values=Name', '--', 'nope', 'x']);
    expect(result).toEqual({
      stdout: [
        'INSTANCE             STATUS  EXIT  OUTPUT',
        `${C}  Failed  127   sh: line 1: brkt: command not found`,
        `${A}  Failed  127   sh: line 1: brkt: command not found`,
        `${B}  Failed  127   sh: line 1: brkt: command not found`,
        '0 done, 3 failed, 0 pending',
        '',
      ].join('\n'),
      stderr: '',
      code: 1,
    });
  });

  test.concurrent('an instance that never answers is shown unfinished when --timeout ends the wait', async () => {
    await using fake = startFakeSsm({ instances: [{ id: A }, { id: B, silent: true }] });
    const result = await fleet(fake, ['run', '--instance-ids', A, '--instance-ids', B, '--timeout', '0.2', '--', 'apiclient', 'get', 'os']);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').slice(2)).toEqual([
      `${B}  InProgress  -`,
      '1 done, 0 failed, 1 pending (stopped waiting at the timeout)',
      '',
    ]);
  });

  test.concurrent('a throttled SendCommand is retried with backoff', async () => {
    await using fake = web();
    fake.throttle('SendCommand');
    const result = await fleet(fake, ['run', '--instance-ids', A, '--json', '--', 'settings', 'get']);
    expect(result.code).toBe(0);
    expect(fake.requests.filter(request => request.operation === 'SendCommand')).toHaveLength(2);
    expect(JSON.parse(result.stdout).succeeded).toBe(true);
  });

  test.concurrent('an API error is one line with the AWS error code, exit 1', async () => {
    await using fake = web();
    const result = await fleet(fake, ['run', '--instance-ids', A, '--document', 'Nope', '--', 'settings', 'get']);
    expect(result).toEqual({ stdout: '', stderr: 'brkt: SSM SendCommand failed: InvalidDocument: Document Nope does not exist\n', code: 1 });
  });

  test.concurrent('an unreachable endpoint is one line, exit 1', async () => {
    const closed = startFakeSsm({ instances: [] });
    const endpoint = closed.endpoint;
    await closed[Symbol.asyncDispose]();
    const result = await brkt('brkt', ['fleet', 'run', '--endpoint', endpoint, '--instance-ids', A, '--', 'settings', 'get'], { env: awsEnv });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toStartWith('brkt: SSM SendCommand failed: ');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test.concurrent('no region anywhere is a usage error and nothing is sent', async () => {
    await using fake = web();
    await using home = makeTempDir();
    const env = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', HOME: home.root, AWS_CONFIG_FILE: home.path('none') };
    const result = await fleet(fake, ['run', '--instance-ids', A, '--', 'settings', 'get'], env);
    expect(result).toEqual({ stdout: '', stderr: 'brkt: No AWS region: give --region or set AWS_REGION\n', code: 2 });
    expect(fake.requests).toEqual([]);
  });

  const badInput: Array<[string, string[], string]> = [
    ['no targets', ['run', '--', 'settings', 'get'], 'brkt: No targets: give --instance-ids i-...,i-... or --targets key=tag:NAME,values=V1,V2'],
    ['an unknown tag syntax', ['run', '--targets', 'key=Name:web,values=x', '--', 'settings', 'get'], "brkt: Unknown target key 'Name:web' in --targets: expected tag:NAME, tag-key or InstanceIds"],
    ['a target without values', ['run', '--targets', 'tag:Name=web', '--', 'settings', 'get'], "brkt: Invalid --targets 'tag:Name=web': expected key=tag:NAME,values=V1,V2"],
    ['an empty command', ['run', '--instance-ids', A, '--'], 'brkt: Empty command: give the command to run after --, e.g. -- settings get motd'],
    ['an empty word as the command', ['run', '--instance-ids', A, '--', ''], 'brkt: Empty command: give the command to run after --, e.g. -- settings get motd'],
    ['a bad instance ID', ['run', '--instance-ids', 'i-1,i-2', '--', 'settings', 'get'], "brkt: Invalid instance ID 'i-1': expected i- followed by 8 or 17 hex digits, or mi- and 17"],
    ['both kinds of targets', ['run', '--instance-ids', A, '--targets', 'key=tag:Name,values=web', '--', 'settings', 'get'], 'brkt: Give either --instance-ids or --targets, not both'],
    ['a bad --max-errors', ['run', '--instance-ids', A, '--max-errors', 'many', '--', 'settings', 'get'], "brkt: Invalid --max-errors 'many': expected a number (10) or a percentage (10%)"],
    ['a bad --timeout', ['run', '--instance-ids', A, '--timeout', '0', '--', 'settings', 'get'], "brkt: Invalid --timeout '0': expected a number of seconds above 0"],
    ['settings set without pairs', ['settings', 'set', '--instance-ids', A], 'brkt: No settings: give KEY=VALUE pairs, e.g. motd=hello'],
    ['settings set with a bare word', ['settings', 'set', '--instance-ids', A, 'motd'], "brkt: Invalid setting 'motd': expected KEY=VALUE"],
    ['update with a bad --halt-at', ['update', '--instance-ids', A, '--halt-at', '0%'], "brkt: Invalid --halt-at '0%': expected a percentage above 0 and at most 100"],
    ['update with a bad --canary', ['update', '--instance-ids', A, '--canary', '0'], "brkt: Invalid --canary '0': expected a whole number of at least 1"],
    ['update with no targets', ['update'], 'brkt: No targets: give --instance-ids i-...,i-... or --targets key=tag:NAME,values=V1,V2'],
  ];
  test.concurrent.each(badInput)('%s: one line, exit 2, nothing sent', async (_, args, line) => {
    await using fake = web();
    expect(await fleet(fake, args)).toEqual({ stdout: '', stderr: line + '\n', code: 2 });
    expect(fake.requests).toEqual([]);
  });
});

describe('brkt fleet settings set', () => {
  test.concurrent('the same change lands on every target', async () => {
    await using fake = web();
    const result = await fleet(fake, ['settings', 'set', '--targets', 'key=tag:Name,values=web,db', 'motd=fleet day', 'kubernetes.node-labels."example.com/role"=web']);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('3 done, 0 failed, 0 pending');
    expect(fake.calls('SendCommand')[0]!.Parameters).toEqual({ commands: [`apiclient set 'motd=fleet day' 'kubernetes.node-labels."example.com/role"=web'`] });
    for (const id of [A, B, C]) {
      expect(fake.hosts.get(id)!.settings).toEqual({ motd: 'fleet day', 'kubernetes.node-labels."example.com/role"': 'web' });
    }
  });
});

test('the help of fleet run names the target syntax', async () => {
  const result = await brkt('brkt', ['fleet', 'run', '--help'], { env: testEnv });
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('--targets #0            SSM targets: key=tag:NAME,values=V1,V2');
});
