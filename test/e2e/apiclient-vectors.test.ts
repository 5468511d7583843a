// apiclient.md section 11: the compiled binary, started as `apiclient`, against a server on a
// temp socket that records every request.
import { describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { recordingServer, type Answer, type Recorded } from '../helpers/recording-server';
import { makeTempDir } from '../helpers/sandbox';

const R = '[A-Za-z0-9]{16}';
const apiclient = (socket: string, args: string[], stdin?: string) => brkt('apiclient', ['-s', socket, ...args], { stdin });
const ok = (body = ''): Answer => ({ status: body ? 200 : 204, body });
const strip = (requests: Recorded[]) => requests.map(({ method, uri, body }) => ({ method, uri, body }));

describe('raw', () => {
  test.concurrent('1. GET /settings with a JSON content type and no body', async () => {
    await using server = recordingServer(() => ok('{"motd":"hi"}'));
    for (const args of [['-u', '/settings'], ['raw', '-u', '/settings']]) {
      expect(await apiclient(server.socket, args)).toEqual({ stdout: '{"motd":"hi"}\n', stderr: '', code: 0 });
    }
    // The socket option may follow the subcommand too.
    expect((await brkt('apiclient', ['raw', '-u', '/settings', '-s', server.socket])).stdout).toBe('{"motd":"hi"}\n');
    expect(server.requests).toEqual(Array(3).fill({ method: 'GET', uri: '/settings', contentType: 'application/json', body: '' }));
  });

  test.concurrent('2. 204 prints nothing; -v shows the status', async () => {
    await using server = recordingServer(() => ok());
    expect(await apiclient(server.socket, ['raw', '-m', 'POST', '-u', '/tx/commit_and_apply'])).toEqual({ stdout: '', stderr: '', code: 0 });
    const verbose = await apiclient(server.socket, ['-v', 'raw', '-m', 'POST', '-u', '/tx/commit_and_apply']);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toContain('204 No Content');
    expect(server.requests.map(r => r.method)).toEqual(['POST', 'POST']);
  });

  test.concurrent('3. a 404 is exit 1 with the status line', async () => {
    await using server = recordingServer(() => ({ status: 404 }));
    expect(await apiclient(server.socket, ['raw', '-u', '/nope'])).toEqual({
      stdout: '',
      stderr: `Failed GET request to '/nope': Status 404 when GETing /nope: \n`,
      code: 1,
    });
  });

  test.concurrent('4. usage errors: message, blank line, usage, exit 2', async () => {
    await using server = recordingServer(() => ok());
    const missing = await apiclient(server.socket, ['raw']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toStartWith(`Missing required argument '--uri'\n\nUsage: apiclient`);
    const bogus = await apiclient(server.socket, ['raw', '-u', '/x', '--bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toStartWith(`Unknown argument '--bogus'\n\n`);
    expect(server.requests).toEqual([]);
  });
});

describe('set', () => {
  test.concurrent('5. key=value goes to /settings/keypair, then commit_and_apply in the same transaction', async () => {
    await using server = recordingServer(() => ok());
    expect(await apiclient(server.socket, ['set', 'motd=hi'])).toEqual({ stdout: '', stderr: '', code: 0 });
    const [patch, commit] = server.requests;
    expect(patch!.method).toBe('PATCH');
    expect(patch!.uri).toMatch(new RegExp(`^/settings/keypair\\?tx=apiclient-set-${R}$`));
    expect(JSON.parse(patch!.body)).toEqual({ request_payload: ['motd=hi'] });
    expect(commit).toEqual({ method: 'POST', uri: `/tx/commit_and_apply?tx=${patch!.uri.split('tx=')[1]}`, contentType: 'application/json', body: '' });
  });

  test.concurrent('6. quoted keys and values with = are sent as given', async () => {
    await using server = recordingServer(() => ok());
    expect((await apiclient(server.socket, ['set', 'kubernetes.node-labels."my.label"=hello', 'motd=a=b'])).code).toBe(0);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ request_payload: ['kubernetes.node-labels."my.label"=hello', 'motd=a=b'] });
  });

  test.concurrent('7. --json moves a settings member up and PATCHes /settings', async () => {
    await using server = recordingServer(() => ok());
    expect((await apiclient(server.socket, ['set', '--json', '{"settings":{"motd":"42"}}'])).code).toBe(0);
    expect(server.requests[0]!.uri).toMatch(new RegExp(`^/settings\\?tx=apiclient-set-${R}$`));
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ motd: '42' });
    expect(server.requests[1]!.uri).toMatch(/^\/tx\/commit_and_apply\?tx=apiclient-set-/);
  });

  test.concurrent.each([
    [[], `Must specify key=value settings or --json settings with 'set'`],
    [['motd=a', '-j', '{}'], `Cannot specify key=value pairs and --json settings with 'set'`],
    [['-j', '[1]'], 'JSON input must be an object (map)'],
    [['nonsense'], `Unknown argument 'nonsense'`],
    [['-j', '{}', '-j', '{}'], `Can't specify the --json argument multiple times.  You can set as many settings as needed within the JSON object.`],
    [['-j'], 'Did not give argument to -j | --json'],
    [['-j', '{"settings":1}'], `JSON 'settings' value must be an object (map)`],
  ])('9. set %p is a usage error', async (args, message) => {
    await using server = recordingServer(() => ok());
    const result = await apiclient(server.socket, ['set', ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toStartWith(`${message}\n\nUsage: apiclient`);
    expect(server.requests).toEqual([]);
  });

  test.concurrent('a server error on PATCH is exit 1 with the context chain', async () => {
    await using server = recordingServer(() => ({ status: 400, body: 'Json deserialize error: unknown field `nope`' }));
    const result = await apiclient(server.socket, ['set', '-j', '{"nope":1}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^Failed to change settings: Failed PATCH request to '/settings\\?tx=apiclient-set-${R}': Status 400 when PATCHing /settings\\?tx=apiclient-set-${R}: Json deserialize error: unknown field \`nope\`\\n$`));
    expect(server.requests).toHaveLength(1);
  });
});

describe('get', () => {
  test.concurrent('10. no arguments merge os. and settings., keys sorted', async () => {
    await using server = recordingServer(request =>
      ok(request.uri.includes('os.') ? '{"os":{"arch":"x86_64"}}' : '{"settings":{"motd":"hi"}}'));
    expect(await apiclient(server.socket, ['get'])).toEqual({
      stdout: '{\n  "os": {\n    "arch": "x86_64"\n  },\n  "settings": {\n    "motd": "hi"\n  }\n}\n',
      stderr: '',
      code: 0,
    });
    expect(strip(server.requests)).toEqual([
      { method: 'GET', uri: '/?prefix=os.', body: '' },
      { method: 'GET', uri: '/?prefix=settings.', body: '' },
    ]);
  });

  test.concurrent('a URI is fetched as is; invalid JSON is exit 1', async () => {
    await using server = recordingServer((_, index) => ok(index === 0 ? '{"b":1,"a":[2]}' : 'not json'));
    expect((await apiclient(server.socket, ['get', '/settings'])).stdout).toBe('{\n  "a": [\n    2\n  ],\n  "b": 1\n}\n');
    const bad = await apiclient(server.socket, ['get', '/settings']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toStartWith(`Failed to get settings: Response contained invalid JSON 'not json' - `);
  });

  test.concurrent.each([
    [['/settings', 'settings.motd'], 'You can specify prefixes or a URI, but not both.'],
    [['/a', '/b'], 'You can only specify one URI.'],
    [['--x'], `Unknown argument '--x'`],
  ])('11. get %p is a usage error', async (args, message) => {
    await using server = recordingServer(() => ok('{}'));
    const result = await apiclient(server.socket, ['get', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toStartWith(`${message}\n\n`);
    expect(server.requests).toEqual([]);
  });
});

describe('apply', () => {
  test.concurrent('12. a TOML file URL is PATCHed then committed', async () => {
    await using server = recordingServer(() => ok());
    await using dir = makeTempDir();
    writeFileSync(dir.path('a.toml'), '[settings]\nmotd = "x"\n');
    expect(await apiclient(server.socket, ['apply', `file://${dir.path('a.toml')}`])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(server.requests[0]!.uri).toMatch(new RegExp(`^/settings\\?tx=apiclient-apply-${R}$`));
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ motd: 'x' });
    expect(server.requests[1]!.uri).toBe(`/tx/commit_and_apply?tx=${server.requests[0]!.uri.split('tx=')[1]}`);
  });

  test.concurrent('12. inputs without settings, or plain paths, fail before any request', async () => {
    await using server = recordingServer(() => ok());
    await using dir = makeTempDir();
    writeFileSync(dir.path('b.json'), '{"motd":"x"}');
    const noSettings = await apiclient(server.socket, ['apply', `file://${dir.path('b.json')}`]);
    expect(noSettings.code).toBe(1);
    expect(noSettings.stderr).toContain(`did not contain a 'settings' key at top level`);
    const plain = await apiclient(server.socket, ['apply', dir.path('b.json')]);
    expect(plain.code).toBe(1);
    // Current upstream (settings-now.md 3.3): no resolver takes a plain path.
    expect(plain.stderr).toBe(`Failed to apply settings: Resolver failed: No URI resolver found for '${dir.path('b.json')}'\n`);
    expect(server.requests).toEqual([]);
  });

  test.concurrent('several inputs are PATCHed in order, stdin included, then one commit', async () => {
    await using server = recordingServer(() => ok());
    await using dir = makeTempDir();
    writeFileSync(dir.path('a.toml'), '[settings]\nmotd = "a"\n[settings.ntp]\ntime-servers = ["x"]\n');
    const result = await apiclient(server.socket, ['apply', `file://${dir.path('a.toml')}`, '-'], '{"settings":{"motd":"b"}}');
    expect(result.code).toBe(0);
    expect(server.requests.map(r => [r.method, r.body && JSON.parse(r.body)])).toEqual([
      ['PATCH', { motd: 'a', ntp: { 'time-servers': ['x'] } }],
      ['PATCH', { motd: 'b' }],
      ['POST', ''],
    ]);
  });

  test.concurrent('input that is neither TOML nor JSON names itself', async () => {
    await using server = recordingServer(() => ok());
    const result = await apiclient(server.socket, ['apply'], 'motd = = x');
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(`Failed to apply settings: Input '-' is not valid TOML or JSON.  (TOML error: `);
    expect(server.requests).toEqual([]);
  });
});

describe('update and reboot', () => {
  const status = (state: string, command?: object) => JSON.stringify({ update_state: state, most_recent_command: command });

  test.concurrent('13. update apply --check stops when the state is Idle', async () => {
    await using server = recordingServer((request, index) => {
      if (request.method === 'POST') return ok();
      return index === 0 ? { status: 404 } : ok(status('Idle', { cmd_type: 'refresh', cmd_status: 'Success', timestamp: 'T1' }));
    });
    const result = await apiclient(server.socket, ['update', 'apply', '--check']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ update_state: 'Idle', most_recent_command: { cmd_type: 'refresh', cmd_status: 'Success', timestamp: 'T1' } });
    expect(result.stderr).toContain('No updates available.');
    expect(server.requests.map(r => `${r.method} ${r.uri}`)).toEqual(['GET /updates/status', 'POST /actions/refresh-updates', 'GET /updates/status']);
  });

  test.concurrent('14. a failed refresh shows upstream\'s -1 exit quirk', async () => {
    await using server = recordingServer((request, index) => {
      if (request.method === 'POST') return ok();
      return index === 0 ? { status: 404 } : ok(status('Idle', { cmd_type: 'refresh', cmd_status: 'Failed', timestamp: 'T1', exit_status: 1, stderr: 'boom' }));
    });
    const result = await apiclient(server.socket, ['update', 'check']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`refresh attempt failed with status 'Failed' (-1): boom`);
  });

  test.concurrent('15. a 423 on the first status check fails at once', async () => {
    await using server = recordingServer(() => ({ status: 423, body: 'Update lock held' }));
    const result = await apiclient(server.socket, ['update', 'check']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Unable to check initial update status, got code '423': Update lock held`);
    expect(server.requests).toHaveLength(1);
  });

  test.concurrent('15. polls answered 423 time out after about ten seconds', async () => {
    await using server = recordingServer((request, index) => (request.method === 'POST' ? ok() : index === 0 ? ok(status('Idle')) : { status: 423 }));
    const result = await apiclient(server.socket, ['update', 'check']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Timed out after waiting 10 seconds after POST to /actions/refresh-updates, unsure of result');
  });

  test.concurrent('16. reboot takes no arguments; success says goodbye', async () => {
    await using server = recordingServer(() => ok());
    const extra = await apiclient(server.socket, ['reboot', 'now']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toStartWith('Unknown arguments: now\n\n');
    const done = await apiclient(server.socket, ['reboot']);
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('Rebooting, goodbye...');
    expect(strip(server.requests)).toEqual([{ method: 'POST', uri: '/actions/reboot', body: '' }]);
  });

  test.concurrent.each([
    [['update'], `Missing or unknown subcommand for 'update'`],
    [['update', 'check', 'a', 'b'], 'Unknown arguments: a, b'],
    [['update', 'apply', '--now'], `Unknown argument '--now'`],
  ])('update %p is a usage error', async (args, message) => {
    await using server = recordingServer(() => ok());
    const result = await apiclient(server.socket, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toStartWith(`${message}\n\n`);
  });
});

test.concurrent('a server that is down is one line naming the socket, exit 1', async () => {
  await using dir = makeTempDir();
  const socket = dir.path('api.sock');
  expect(await apiclient(socket, ['-u', '/settings'])).toEqual({
    stdout: '',
    stderr: `Failed GET request to '/settings': Failed to send request: the API server is not answering on ${socket} (ENOENT)\n`,
    code: 1,
  });
});
