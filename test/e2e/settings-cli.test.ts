// `brkt settings ...` and `apiclient` against the real API server on a real socket.
import { dribbled } from '../helpers/slow-body';
import { describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { startApiServer, type ApiFixture } from '../helpers/api-server';
import { makeTempDir } from '../helpers/sandbox';

const settings = (fixture: ApiFixture, args: string[], stdin?: string) =>
  brkt('brkt', ['settings', ...args, '--socket', fixture.socket], { stdin, root: fixture.sandbox.root });
const live = async (fixture: ApiFixture) => (await fixture.json('/settings')) as Record<string, any>;

/** Runs `args`, expects exit 2 with one line naming `mention`, and an untouched datastore. */
async function expectRefused(fixture: ApiFixture, args: string[], mention: string, stdin?: string) {
  const before = fixture.datastoreHash();
  const result = await settings(fixture, args, stdin);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(2);
  expect(result.stderr.split('\n')).toHaveLength(2);
  expect(result.stderr).toContain(mention);
  expect(fixture.datastoreHash()).toBe(before);
  expect(await fixture.json('/tx/list')).toEqual([]);
}

/** Runs `args`, expects exit `code` with one line naming `mention`, and an untouched datastore. */
async function expectFailed(fixture: ApiFixture, args: string[], mention: string | string[], code: number, env: Record<string, string> = {}) {
  const before = fixture.datastoreHash();
  const result = await brkt('brkt', ['settings', ...args, '--socket', fixture.socket], { root: fixture.sandbox.root, env });
  expect(result.stdout).toBe('');
  expect(result.stderr.split('\n')).toHaveLength(2);
  for (const part of [mention].flat()) expect(result.stderr).toContain(part);
  expect(result.code).toBe(code);
  expect(fixture.datastoreHash()).toBe(before);
  expect(await fixture.json('/tx/list')).toEqual([]);
}

describe('get', () => {
  test('key=value lines by default, JSON with --json, single keys and groups', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    const all = await settings(fixture, ['get']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('motd=Welcome to Bottlerocket!\n');
    expect(all.stdout).toContain('updates.ignore-waves=false\n');
    expect(all.stdout).toContain('ntp.time-servers=["169.254.169.123","2.amazon.pool.ntp.org"]\n');
    expect(await settings(fixture, ['get', 'settings.motd'])).toEqual({ stdout: 'motd=Welcome to Bottlerocket!\n', stderr: '', code: 0 });
    const group = await settings(fixture, ['get', 'updates', '--json']);
    expect(JSON.parse(group.stdout)).toEqual({ updates: (await live(fixture)).updates });
  });

  test('a key that is not set is exit 1; a malformed key is exit 2', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    expect(await settings(fixture, ['get', 'kubernetes.max-pods'])).toEqual({ stdout: '', stderr: `brkt: No setting 'kubernetes.max-pods' is set\n`, code: 1 });
    const bad = await settings(fixture, ['get', 'motd..x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toStartWith(`brkt: Key name 'motd..x' has invalid format`);
  });
});

describe('set', () => {
  test('values are typed by the schema; quoted segments hold dots', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    const result = await settings(fixture, ['set', 'kubernetes.max-pods=110', 'motd=42', 'settings.kubernetes.node-labels."app.kubernetes.io/name"=web', 'updates.ignore-waves=true']);
    expect(result).toEqual({ stdout: '', stderr: '', code: 0 });
    const now = await live(fixture);
    expect(now.kubernetes['max-pods']).toBe(110);
    expect(now.motd).toBe('42');
    expect(now.kubernetes['node-labels']).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(now.updates['ignore-waves']).toBe(true);
    expect(await fixture.json('/tx/list')).toEqual([]);
  });

  test('--json sets a document; --dry-run shows the diff and stages nothing', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    expect((await settings(fixture, ['set', '--json', '{"settings":{"ntp":{"time-servers":["time.example.com"]}}}'])).code).toBe(0);
    expect((await live(fixture)).ntp['time-servers']).toEqual(['time.example.com']);
    await fixture.server.store.settled(); // the committed transaction's directory is removed in the background
    const before = fixture.datastoreHash();
    expect(await settings(fixture, ['set', '--dry-run', 'motd=bye'])).toEqual({
      stdout: 'motd: "Welcome to Bottlerocket!" -> "bye"\nservices: motd\nfiles: /etc/motd\n',
      stderr: '',
      code: 0,
    });
    expect(fixture.datastoreHash()).toBe(before);
  });

  test.each([
    [['set', 'kubernetes.max-pods=abc'], `Setting 'kubernetes.max-pods' takes an integer, not 'abc'`],
    [['set', 'nosuch=1'], `Unknown setting 'nosuch'`],
    [['set', 'motd..x=1'], `Key name 'motd..x' has invalid format`],
    [['set', 'updates.seed=5000'], `updates.seed`],
    [['set', 'kubernetes.node-labels."bad label"=x'], `invalid character`],
    [['set', 'motd'], `Expected KEY=VALUE, got 'motd'`],
    [['set'], 'Give at least one KEY=VALUE pair, or --json'],
    [['set', 'motd=a', '--json', '{}'], 'Give KEY=VALUE pairs or --json, not both'],
    [['set', '--json', '[1]'], 'JSON input must be an object (map)'],
    [['set', 'ntp.time-servers=notjson'], `takes a JSON list`],
  ])('refuses %p and stages nothing', async (args, mention) => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    await expectRefused(fixture, args, mention);
  });
});

describe('apply', () => {
  test('files, stdin and URLs merge in order in one transaction', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    await using dir = makeTempDir();
    writeFileSync(dir.path('a.toml'), '[settings]\nmotd = "a"\n[settings.kubernetes.node-labels]\none = "1"\n');
    using server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('{"settings":{"kubernetes":{"node-labels":{"two":"2"}}}}') });
    const result = await settings(fixture, ['apply', dir.path('a.toml'), `http://127.0.0.1:${server.port}/b.json`, '-'], '{"settings":{"motd":"c"}}');
    expect(result).toEqual({ stdout: '', stderr: '', code: 0 });
    const now = await live(fixture);
    expect(now.motd).toBe('c');
    expect(now.kubernetes['node-labels']).toEqual({ one: '1', two: '2' });
    const history = (await fixture.json('/tx/history')) as Array<{ tx: string }>;
    expect(history.filter(entry => entry.tx.startsWith('brkt-apply-'))).toHaveLength(1);
  });

  test('an error in any input applies nothing', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    await using dir = makeTempDir();
    writeFileSync(dir.path('good.toml'), '[settings]\nmotd = "changed"\n');
    writeFileSync(dir.path('unknown.toml'), '[settings]\nnosuch = 1\n');
    writeFileSync(dir.path('garbage.txt'), 'motd = = x');
    writeFileSync(dir.path('nosettings.json'), '{"motd":"x"}');
    await expectRefused(fixture, ['apply', dir.path('good.toml'), dir.path('unknown.toml')], 'nosuch');
    await expectRefused(fixture, ['apply', dir.path('good.toml'), dir.path('garbage.txt')], `Input '${dir.path('garbage.txt')}' is not valid TOML or JSON`);
    await expectRefused(fixture, ['apply', dir.path('nosettings.json')], `did not contain a 'settings' key at top level`);
    // Keys named like object members are unknown settings, not dropped on the way.
    for (const [name, field] of [['proto.json', '__proto__'], ['ctor.json', 'constructor']]) {
      writeFileSync(dir.path(name!), `{"settings":{"motd":"changed","${field}":{"motd":"x"}}}`);
      for (const dryRun of [[], ['--dry-run']]) await expectRefused(fixture, ['apply', ...dryRun, dir.path('good.toml'), dir.path(name!)], `unknown field \`${field}\``);
    }
    await expectRefused(fixture, ['apply', dir.path('missing.toml')], `Cannot read '${dir.path('missing.toml')}'`);
    // An unreachable server is a failed operation, not bad input.
    await expectFailed(fixture, ['apply', 'http://127.0.0.1:9/x.toml'], `Cannot read 'http://127.0.0.1:9/x.toml': Failed to fetch`, 1);
    expect((await live(fixture)).motd).toBe('Welcome to Bottlerocket!');
  });

  describe('a URL is bounded in time and size', () => {
    /** One byte every 20 ms, forever. */
    const endless = () => new ReadableStream<Uint8Array>({ pull: controller => controller.enqueue(new Uint8Array(1 << 16).fill(0x20)) });
    // Short, yet long enough for an honest answer on a busy machine.
    const fast = { BRKT_SOURCE_CONNECT_TIMEOUT_MS: '3000', BRKT_SOURCE_TIMEOUT_MS: '5000' };

    test.concurrent.each([
      ['a silent server', () => new Promise<Response>(() => {}), `no response within 3000 ms`, 1],
      ['a server that dribbles its body', () => new Response(dribbled()), `did not finish within 5000 ms`, 1],
      ['an endless body', () => new Response(endless()), 'is too large (more than 2097152 bytes, maximum is 2097152 bytes)', 2],
      ['a declared length above 2 MiB', () => new Response(new Uint8Array(2 * 1024 * 1024 + 1).fill(0x20)), 'is too large (2097153 bytes, maximum is 2097152 bytes)', 2],
      ['a 404', () => new Response('gone', { status: 404 }), `: 404`, 1],
    ] as const)('%s fails the command and stages nothing', async (_, answer, mention, code) => {
      await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
      using server = Bun.serve({ port: 0, hostname: '127.0.0.1', idleTimeout: 0, fetch: () => answer() });
      const url = `http://127.0.0.1:${server.port}/node.toml`;
      await expectFailed(fixture, ['apply', url], [`Cannot read '${url}': `, mention], code, fast);
    });
  });

  test('--dry-run shows what the documents would change', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    const result = await settings(fixture, ['apply', '--dry-run', '-'], '[settings.updates]\nseed = 7\n');
    expect(result).toEqual({ stdout: 'updates.seed: (unset) -> 7\nservices: updog\nfiles: /etc/updog.toml\n', stderr: '', code: 0 });
  });
});

describe('diff, describe, delete, history', () => {
  test('diff shows a pending transaction against live', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    await fixture.request('PATCH', '/settings?tx=staged', JSON.stringify({ motd: 'staged', ntp: { 'time-servers': ['a.example.com'] } }));
    expect(await settings(fixture, ['diff', '--tx', 'staged'])).toEqual({
      stdout: 'motd: "Welcome to Bottlerocket!" -> "staged"\nntp.time-servers: ["169.254.169.123","2.amazon.pool.ntp.org"] -> ["a.example.com"]\nservices: motd, ntp\nfiles: /etc/chrony.conf, /etc/motd\n',
      stderr: '',
      code: 0,
    });
    const json = JSON.parse((await settings(fixture, ['diff', '--tx', 'staged', '--json'])).stdout);
    expect(json.changes[0]).toEqual({ key: 'settings.motd', old: 'Welcome to Bottlerocket!', new: 'staged' });
    expect((await settings(fixture, ['diff'])).stdout).toBe('No changes\n');
  });

  test('describe tells type, rule, default, current value and services', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    const result = await settings(fixture, ['describe', 'updates.version-lock', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({
      key: 'settings.updates.version-lock',
      type: 'string',
      rule: 'FriendlyVersion',
      description: "'latest' or a semantic version (optional leading v)",
      default: 'latest',
      current: 'latest',
      'affected-services': ['updog'],
    });
    const unknown = await settings(fixture, ['describe', 'nosuch']);
    expect(unknown).toEqual({ stdout: '', stderr: `brkt: Unknown setting 'nosuch'\n`, code: 2 });
  });

  test('delete removes a setting; history records who changed what', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    expect((await settings(fixture, ['set', 'kubernetes.node-labels.team=blue'])).code).toBe(0);
    expect(await settings(fixture, ['delete', 'kubernetes.node-labels.team'])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect((await live(fixture)).kubernetes['node-labels']).toBeUndefined();
    const history = await settings(fixture, ['history', '--last', '2']);
    expect(history.code).toBe(0);
    for (const last of ['abc', '-1', '1.5', '', '1e3']) {
      expect(await settings(fixture, ['history', `--last=${last}`])).toEqual({ code: 2, stdout: '', stderr: `brkt: Invalid --last '${last}': expected a whole number of commits\n` });
    }
    expect(await settings(fixture, ['history', '--last', '0'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(history.stdout).toMatch(/^#\d+ \S+ brkt-set-\w{16}\n  settings\.kubernetes\.node-labels\.team: \(unset\) -> "blue"\n#\d+ \S+ brkt-delete-\w{16}\n  settings\.kubernetes\.node-labels\.team: "blue" -> \(unset\)\n$/);
    const missing = await settings(fixture, ['delete', 'kubernetes.node-labels.team']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`Found no 'settings.kubernetes.node-labels.team' in datastore`);
    expect(await fixture.json('/tx/list')).toEqual([]);
  });
});

describe('apiclient against the real server', () => {
  test('8. set motd=42 is refused by the model: use --json', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    const result = await brkt('apiclient', ['-s', fixture.socket, 'set', 'motd=42']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Please try the --json input form');
    expect((await live(fixture)).motd).toBe('Welcome to Bottlerocket!');
  });

  test('set, get and raw round-trip; upstream output shapes', async () => {
    await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
    expect(await brkt('apiclient', ['-s', fixture.socket, 'set', 'motd=hello', 'kubernetes.node-labels."my.label"=x'])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(await brkt('apiclient', ['-s', fixture.socket, 'get', 'settings.motd'])).toEqual({ stdout: '{\n  "settings": {\n    "motd": "hello"\n  }\n}\n', stderr: '', code: 0 });
    const raw = await brkt('apiclient', ['-s', fixture.socket, '-u', '/settings?prefix=kubernetes.node-labels']);
    expect(JSON.parse(raw.stdout)).toEqual({ kubernetes: { 'node-labels': { 'my.label': 'x' } } });
    expect(await brkt('brkt', ['api', '--socket', fixture.socket, '-u', '/settings?keys=settings.motd'])).toEqual({ stdout: '{"motd":"hello"}\n', stderr: '', code: 0 });
  });
});

test('a server that is down is one line naming the socket, exit 1', async () => {
  await using dir = makeTempDir();
  const socket = dir.path('api.sock');
  for (const args of [['get'], ['set', 'motd=x'], ['history']]) {
    expect(await brkt('brkt', ['settings', ...args, '--socket', socket])).toEqual({
      stdout: '',
      stderr: `brkt: Failed to send request: the API server is not answering on ${socket} (ENOENT)\n`,
      code: 1,
    });
  }
});
