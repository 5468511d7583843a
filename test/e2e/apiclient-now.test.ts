// settings-now.md 3.2, 3.3, 2 and 6 from the client's side: the compiled binary started as
// `apiclient` against a recording server on a temp socket, and fake AWS services on 127.0.0.1.
import { describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { recordingServer, type Answer, type Recorded } from '../helpers/recording-server';
import { makeTempDir } from '../helpers/sandbox';
import { startFakeAwsObjects } from '../helpers/fake-aws-objects';
import { startFakeSsm } from '../helpers/fake-ssm';

const apiclient = (socket: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) =>
  brkt('apiclient', ['-s', socket, ...args], options);
const ok = (body = ''): Answer => ({ status: body ? 200 : 204, body });
const patches = (requests: Recorded[]) => requests.filter(r => r.method === 'PATCH').map(r => JSON.parse(r.body));

/** Serves an http source on 127.0.0.1 (port 0). */
function httpSource(handler: (request: Request) => Response) {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler });
  return { url: `http://127.0.0.1:${server.port}`, [Symbol.asyncDispose]: () => server.stop(true) };
}

describe('get (vector 9)', () => {
  const reply = '{"settings":{"motd":"hi","network":{"hostname":"h"},"network-x":{"a":"b"}}}';

  test.concurrent('--exclude drops a prefix after merging; a trailing dot keeps look-alikes', async () => {
    await using server = recordingServer(() => ok(reply));
    expect(await apiclient(server.socket, ['get', '--exclude', 'settings.network'])).toEqual({
      stdout: '{\n  "settings": {\n    "motd": "hi"\n  }\n}\n',
      stderr: '',
      code: 0,
    });
    // Options go anywhere after `get`, and the defaults (os., settings.) are still fetched.
    expect(server.requests.map(r => r.uri)).toEqual(['/?prefix=os.', '/?prefix=settings.']);
    const dotted = await apiclient(server.socket, ['get', 'settings', '--exclude', 'settings.network.']);
    expect(JSON.parse(dotted.stdout)).toEqual({ settings: { motd: 'hi', 'network-x': { a: 'b' } } });
    const several = await apiclient(server.socket, ['get', '--exclude', 'settings.motd', 'settings', '--exclude', 'settings.network']);
    expect(several.stdout).toBe('{}\n');
  });

  test.concurrent('--canonicalize prints OLPC canonical JSON, with prefixes or a URI', async () => {
    await using server = recordingServer(() => ok('{"settings":{"motd":"hi"}}'));
    expect(await apiclient(server.socket, ['get', '--canonicalize', 'settings.motd'])).toEqual({ stdout: '{"settings":{"motd":"hi"}}\n', stderr: '', code: 0 });
    expect(server.requests.map(r => r.uri)).toEqual(['/?prefix=settings.motd']);
    expect((await apiclient(server.socket, ['get', '/settings', '--canonicalize'])).stdout).toBe('{"settings":{"motd":"hi"}}\n');
  });

  test.concurrent('usage errors: --exclude with a URI, or without a value', async () => {
    await using server = recordingServer(() => ok('{}'));
    const withUri = await apiclient(server.socket, ['get', '/settings', '--exclude', 'a']);
    expect(withUri.code).toBe(2);
    expect(withUri.stderr).toStartWith('You can specify prefixes or a URI, but not both.\n\nUsage: apiclient');
    const noValue = await apiclient(server.socket, ['get', 'settings', '--exclude']);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toStartWith('Did not give argument to --exclude\n\n');
    expect(server.requests).toEqual([]);
  });
});

describe('apply sources (vector 10)', () => {
  test.concurrent('base64: is decoded and PATCHed', async () => {
    await using server = recordingServer(() => ok());
    expect(await apiclient(server.socket, ['apply', 'base64:W3NldHRpbmdzXQptb3RkID0gIngiCg=='])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(server.requests[0]!.body).toBe('{"motd":"x"}');
    expect(server.requests[1]!.uri).toMatch(/^\/tx\/commit_and_apply\?tx=apiclient-apply-/);
  });

  test.concurrent('inputs no resolver takes: exit 1, nothing sent', async () => {
    await using server = recordingServer(() => ok());
    await using dir = makeTempDir();
    writeFileSync(dir.path('a.toml'), '[settings]\nmotd = "a"\n');
    for (const input of [dir.path('a.toml'), 'base64:', 'ssm://', 'ftp://h/x', 'file://rel/x']) {
      expect(await apiclient(server.socket, ['apply', input])).toEqual({
        stdout: '',
        stderr: `Failed to apply settings: Resolver failed: No URI resolver found for '${input}'\n`,
        code: 1,
      });
    }
    // A good input first does not let anything through when a later one fails.
    const mixed = await apiclient(server.socket, ['apply', `file://${dir.path('a.toml')}`, 'ftp://h/x']);
    expect(mixed.code).toBe(1);
    expect(server.requests).toEqual([]);
  });

  test.concurrent('resolver failures carry upstream messages and send nothing', async () => {
    await using server = recordingServer(() => ok());
    await using dir = makeTempDir();
    const cases: Array<[string, string]> = [
      ['base64:not!valid', `Failed to apply settings: Resolver failed: Failed to decode base64 data from 'base64:not!valid': Invalid symbol 33, offset 3.`],
      ['base64:/w==', `Failed to apply settings: Resolver failed: Failed to decode as UTF-8 for base64:/w==`],
      [`file://${dir.path('none.toml')}`, `Failed to apply settings: Resolver failed: Failed to read given file '${dir.path('none.toml')}': No such file or directory (os error 2)`],
    ];
    for (const [input, message] of cases) expect(await apiclient(server.socket, ['apply', input])).toEqual({ stdout: '', stderr: message + '\n', code: 1 });
    expect(server.requests).toEqual([]);
  });

  test.concurrent('http: a body is applied; 404 and a 3 MiB body fail with nothing PATCHed', async () => {
    await using server = recordingServer(() => ok());
    const big = 'x'.repeat(3 * 1024 * 1024);
    await using source = httpSource(request => {
      const path = new URL(request.url).pathname;
      if (path === '/ok.toml') return new Response('[settings]\nmotd = "web"\n');
      if (path === '/big') return new Response(big);
      // No Content-Length: the size is counted while streaming.
      if (path === '/stream') return new Response(new ReadableStream({ pull: c => { c.enqueue(new TextEncoder().encode(big)); c.close(); } }));
      return new Response('nope', { status: 404 });
    });
    expect((await apiclient(server.socket, ['apply', `${source.url}/ok.toml`])).code).toBe(0);
    expect(patches(server.requests)).toEqual([{ motd: 'web' }]);
    server.requests.length = 0;

    const missing = await apiclient(server.socket, ['apply', `${source.url}/missing`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`Non-success HTTP status from '${source.url}/missing'`);
    for (const path of ['/big', '/stream']) {
      const large = await apiclient(server.socket, ['apply', `${source.url}${path}`]);
      expect(large.code).toBe(1);
      expect(large.stderr).toContain(`HTTP object at ${source.url}${path} is too large (`);
      expect(large.stderr).toContain('maximum is 2097152 bytes)');
    }
    expect(server.requests).toEqual([]);
  });

  test.concurrent('s3://, secretsmanager://, ssm:// and ARNs go through the SDK to their services', async () => {
    await using server = recordingServer(() => ok());
    await using aws = startFakeAwsObjects({
      objects: { 'bucket/dir/user-data.toml': '[settings]\nmotd = "from s3"\n', 'bucket/large': new Uint8Array(3 * 1024 * 1024) },
      secrets: { 'my-secret': '{"settings":{"motd":"from secrets manager"}}', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s': '[settings.ntp]\ntime-servers = ["a"]\n[settings]\nmotd = "arn"\n', binary: null },
    });
    await using ssm = startFakeSsm({ instances: [], parameters: { '/brkt/motd': '[settings]\nmotd = "from ssm"\n', 'arn:aws:ssm:ap-south-1:123456789012:parameter/p': '{"settings":{"motd":"ssm arn"}}' } });
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-west-2',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    };
    const inputs = ['s3://bucket/dir/user-data.toml', 'secretsmanager://my-secret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s', 'ssm:///brkt/motd', 'arn:aws:ssm:ap-south-1:123456789012:parameter/p'];
    expect(await apiclient(server.socket, ['apply', ...inputs], { env })).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(patches(server.requests)).toEqual([{ motd: 'from s3' }, { motd: 'from secrets manager' }, { motd: 'arn', ntp: { 'time-servers': ['a'] } }, { motd: 'from ssm' }, { motd: 'ssm arn' }]);
    // Default region from the environment; an ARN's own region otherwise. (Fetched four at a time.)
    const byTarget = <T extends { target: string }>(list: T[]) => [...list].sort((a, b) => a.target.localeCompare(b.target));
    expect(byTarget(aws.requests)).toEqual(byTarget([
      { service: 's3', target: 'bucket/dir/user-data.toml', region: 'us-west-2' },
      { service: 'secretsmanager', target: 'my-secret', region: 'us-west-2' },
      { service: 'secretsmanager', target: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s', region: 'eu-west-1' },
    ]));
    const signed = ssm.requests.map(r => ({ target: r.body.Name, decrypt: r.body.WithDecryption, region: /Credential=[^/]+\/\d+\/([^/]+)\//.exec(r.authorization)?.[1] }));
    expect(byTarget(signed)).toEqual([
      { target: '/brkt/motd', decrypt: true, region: 'us-west-2' },
      { target: 'arn:aws:ssm:ap-south-1:123456789012:parameter/p', decrypt: true, region: 'ap-south-1' },
    ]);
    server.requests.length = 0;

    const failures: Array<[string, string]> = [
      ['s3://bucket/none', `TLS resolver error: Failed to fetch S3 object 'bucket/none': NoSuchKey: The specified key does not exist.`],
      ['s3://bucket/large', `TLS resolver error: S3 object s3://bucket/large is too large (3145728 bytes, maximum is 2097152 bytes)`],
      ['ssm://nope', `TLS resolver error: Failed to fetch parameter 'nope' from SSM: ParameterNotFound: Parameter nope not found.`],
      ['secretsmanager://binary', `TLS resolver error: Secrets Manager secret 'binary' did not return a string value`],
      ['secretsmanager://none', `TLS resolver error: Failed to fetch secret 'none' from Secrets Manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`],
    ];
    for (const [input, message] of failures) {
      expect(await apiclient(server.socket, ['apply', 'base64:W3NldHRpbmdzXQptb3RkID0gIngiCg==', input], { env })).toEqual({
        stdout: '',
        stderr: `Failed to apply settings: Resolver failed: ${message}\n`,
        code: 1,
      });
    }
    expect(server.requests).toEqual([]);
  });
});

describe('lockdown (vector 8, client side)', () => {
  test.concurrent('POST /actions/lockdown, then a log line; extra arguments are usage errors', async () => {
    await using server = recordingServer(() => ok());
    const done = await apiclient(server.socket, ['lockdown']);
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('');
    expect(done.stderr).toMatch(/\[INFO\] Lockdown completed\n$/);
    expect(server.requests).toEqual([{ method: 'POST', uri: '/actions/lockdown', contentType: 'application/json', body: '' }]);
    const extra = await apiclient(server.socket, ['lockdown', 'a', 'b']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toStartWith('Unknown arguments: a, b\n\nUsage: apiclient');
    expect(server.requests.length).toBe(1);
  });

  test.concurrent('a refused lockdown is exit 1 with the status', async () => {
    await using server = recordingServer(() => ({ status: 500, body: 'boom' }));
    expect(await apiclient(server.socket, ['lockdown'])).toEqual({
      stdout: '',
      stderr: `Failed to lockdown: Failed POST request to '/actions/lockdown': Status 500 when POSTing /actions/lockdown: boom\n`,
      code: 1,
    });
  });
});

describe('network configure (vector 11, client side)', () => {
  test.concurrent('the source is sent unparsed; stdin when none is given', async () => {
    await using server = recordingServer(() => ok());
    expect(await apiclient(server.socket, ['network', 'configure', 'base64:dmVyc2lvbiA9IDIKCltldGgwXQpkaGNwNCA9IHRydWUK'])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect((await apiclient(server.socket, ['network', 'configure'], { stdin: 'not even toml' })).code).toBe(0);
    expect(server.requests.map(({ method, uri, body }) => ({ method, uri, body }))).toEqual([
      { method: 'POST', uri: '/actions/network/configure', body: 'version = 2\n\n[eth0]\ndhcp4 = true\n' },
      { method: 'POST', uri: '/actions/network/configure', body: 'not even toml' },
    ]);
  });

  test.concurrent('usage and source errors send nothing; a 400 is exit 1 with the body', async () => {
    await using server = recordingServer(() => ({ status: 400, body: 'Invalid network configuration: Unknown network config version: 99' }));
    const two = await apiclient(server.socket, ['network', 'configure', 'a', 'b']);
    expect(two.code).toBe(2);
    expect(two.stderr).toStartWith('apiclient network configure takes only one input source URI.\n\n');
    const bare = await apiclient(server.socket, ['network']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toStartWith(`Missing or unknown subcommand for 'network'\n\n`);
    expect(await apiclient(server.socket, ['network', 'configure', 'ftp://h/x'])).toEqual({
      stdout: '',
      stderr: `Failed to get network configuration content: Failed to select resolver: No URI resolver found for 'ftp://h/x'\n`,
      code: 1,
    });
    expect(server.requests).toEqual([]);
    expect(await apiclient(server.socket, ['network', 'configure', 'base64:dmVyc2lvbiA9IDk5'])).toEqual({
      stdout: '',
      stderr: `Failed to configure network: Failed to POST network configuration to '/actions/network/configure': Status 400 when POSTing /actions/network/configure: Invalid network configuration: Unknown network config version: 99\n`,
      code: 1,
    });
  });
});
