// brkt logs / logdog end to end: the compiled binary, real sandboxes, a real API socket, and the
// archive opened both with GNU tar and with the project's own reader.
import { describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brkt, BRKT_BIN, testEnv } from '../helpers/brkt';
import { makeSandbox, makeTempDir, type Sandbox } from '../helpers/sandbox';
import { withTool } from '../helpers/tools';
import { readTarGz, type ArchiveEntry } from '../../src/core/logs/read-archive';
import { isSafeMemberName } from '../../src/core/logs/member-path';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function gnuTar(args: string[], cwd?: string): string {
  const result = Bun.spawnSync({ cmd: ['tar', ...args], cwd, stdout: 'pipe', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`tar ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

async function readArchive(path: string): Promise<{ entries: ArchiveEntry[]; text: (name: string) => string | undefined }> {
  const entries = await readTarGz(readFileSync(path));
  const text = (name: string) => {
    const entry = entries.find(candidate => candidate.name === `bottlerocket-logs/${name}`);
    return entry ? decode(entry.content) : undefined;
  };
  return { entries, text };
}

function writeRequests(sandbox: Sandbox, files: Record<string, string>) {
  const dir = sandbox.path('usr/share/logdog.d');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const tarTest = withTool('tar');

describe('brkt logs on a sandbox with the built-in requests', () => {
  tarTest.concurrent('writes ./bottlerocket-logs.tar.gz; the API being down is an error line, not a failure', async () => {
    await using sandbox = await makeSandbox();
    await using cwd = makeTempDir();
    const result = await brkt('brkt', ['logs'], { root: sandbox.root, cwd: cwd.root });
    const output = cwd.path('bottlerocket-logs.tar.gz');
    expect(result.stdout).toBe(`logs are at: ${output}\n`);
    expect(result.code).toBe(0);

    // GNU tar: the layout, and the members extract where they should.
    const listed = gnuTar(['tzf', output]).trim().split('\n');
    expect(listed[0]).toBe('bottlerocket-logs/');
    expect(listed).toEqual(expect.arrayContaining([
      'bottlerocket-logs/logdog.errors', 'bottlerocket-logs/redactions', 'bottlerocket-logs/os-release',
      'bottlerocket-logs/signpost', 'bottlerocket-logs/update-status', 'bottlerocket-logs/df', 'bottlerocket-logs/df-inodes',
    ]));
    for (const name of listed) expect(name).toStartWith('bottlerocket-logs/');
    gnuTar(['xzf', output], cwd.root);
    expect(readFileSync(cwd.path('bottlerocket-logs/os-release'), 'utf8')).toBe(readFileSync(sandbox.path('etc/os-release'), 'utf8'));
    expect(readFileSync(cwd.path('bottlerocket-logs/df'), 'utf8')).toStartWith('Filesystem');

    // The project's reader sees the same members, all of them safe.
    const { entries, text } = await readArchive(output);
    expect(entries.map(entry => entry.name)).toEqual(listed);
    expect(entries.every(entry => isSafeMemberName(entry.name))).toBe(true);
    const errors = text('logdog.errors')!;
    expect(errors).toContain(`Error running command 'settings settings.json': 'Unable to read settings from the API at ${sandbox.path('run/api.sock')}: no socket there (is the API server running?)'\n`);
    expect(text('settings.json')).toBeUndefined();
    expect(text('redactions')).toBe('');
    if (result.stderr !== '') expect(result.stderr).toMatch(/^\d+ of 8 requests failed; see bottlerocket-logs\/logdog.errors in the archive\n$/);
  });

  tarTest.concurrent('settings are read from the API socket and their secrets never reach any member', async () => {
    await using sandbox = await makeSandbox();
    await using cwd = makeTempDir();
    const secrets = {
      certificate: '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTESMBAGA1UE\n-----END CERTIFICATE-----\n',
      pkiBundle: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJzekNDQVZtZ0F3',
      bootstrapToken: 'abcdef.0123456789abcdef',
      userData: 'c3NoLXJzYSBBQUFBQjNOemFDMXljMkVBQUFBREFRQUJBQUFCQVFD',
      awsCredentials: 'W2RlZmF1bHRdCmF3c19zZWNyZXRfYWNjZXNzX2tleT1zM2NyM3Q=',
      proxy: 'http://alice:hunter2@proxy.internal:3128',
    };
    const settings = {
      motd: 'Welcome to brkt!',
      kubernetes: { 'bootstrap-token': secrets.bootstrapToken, 'server-certificate': secrets.certificate, 'api-server': 'https://k8s.internal' },
      pki: { 'corp-ca': { data: secrets.pkiBundle, trusted: true } },
      network: { 'https-proxy': secrets.proxy },
      aws: { credentials: secrets.awsCredentials, region: 'us-west-2' },
      'host-containers': { admin: { enabled: false, superpowered: true, 'user-data': secrets.userData } },
      custom: { note: `stored here too: ${secrets.certificate}` },
    };
    mkdirSync(sandbox.path('run'), { recursive: true });
    const requests: string[] = [];
    using server = Bun.serve({
      unix: sandbox.path('run/api.sock'),
      fetch(request) {
        const { pathname } = new URL(request.url);
        requests.push(`${request.method} ${pathname}`);
        if (pathname === '/settings') return Response.json(settings);
        if (pathname === '/os') return Response.json({ arch: 'x86_64', version_id: '1.0.0', variant_id: 'aws-dev' });
        return new Response('not found', { status: 404 });
      },
    });
    const output = cwd.path('out/bundle.tar.gz');
    const result = await brkt('brkt', ['logs', '--output', output], { root: sandbox.root });
    expect(result.code).toBe(0);
    expect(requests).toEqual(['GET /settings', 'GET /os']);

    const { entries, text } = await readArchive(output);
    for (const entry of entries) {
      for (const secret of Object.values(secrets)) expect(decode(entry.content)).not.toContain(secret);
      expect(decode(entry.content)).not.toContain('BEGIN CERTIFICATE');
    }
    // GNU tar agrees: the whole extracted bundle holds none of them.
    const everything = gnuTar(['xzOf', output]);
    for (const secret of Object.values(secrets)) expect(everything).not.toContain(secret);

    const written = JSON.parse(text('settings.json')!);
    expect(text('settings.json')!.endsWith('}')).toBe(true); // pretty, no trailing newline (upstream)
    expect(written.os).toEqual({ arch: 'x86_64', version_id: '1.0.0', variant_id: 'aws-dev' });
    expect(written.settings.motd).toBe('Welcome to brkt!');
    expect(written.settings.kubernetes).toEqual({ 'bootstrap-token': 'REDACTED', 'server-certificate': 'REDACTED', 'api-server': 'https://k8s.internal' });
    expect(written.settings['host-containers'].admin).toEqual({ enabled: false, superpowered: true, 'user-data': 'REDACTED' });
    expect(text('redactions')).toBe([
      'settings.kubernetes.bootstrap-token',
      'settings.network.https-proxy',
      'settings.aws.credentials',
      'settings.kubernetes.server-certificate',
      'settings.pki.corp-ca.data',
      'settings.host-containers.admin.user-data',
      'settings.custom.note',
      '',
    ].join('\n'));
    expect(text('logdog.errors')).not.toContain('settings settings.json');
  });
});

describe('request files and upstream vectors', () => {
  tarTest.concurrent('logdog.d files run in name order; exec, file and glob land where upstream puts them', async () => {
    await using sandbox = await makeSandbox();
    writeFileSync(sandbox.path('foo-bar.source'), '123');
    for (const sub of ['', 'depth1', 'depth1/depth2']) {
      mkdirSync(sandbox.path(`var/log/app/${sub}`), { recursive: true });
      for (const [name, content] of [['foo.source', '1'], ['bar.source', '2'], ['for-bar.log', '3']]) writeFileSync(sandbox.path(`var/log/app/${sub}/${name}`), content!);
    }
    writeRequests(sandbox, {
      '20-second.conf': 'glob /var/log/app/**/*.source\n',
      '10-first.conf': `# upstream's own requests\nexec hello.txt echo hello world\nexec output-file.txt echo 'hello' "world!" "\\"quoted\\""\nfile foo-bar /foo-bar.source\n`,
    });
    const output = sandbox.path('out.tar.gz');
    const result = await brkt('brkt', ['logs', '--output', output, '--json'], { root: sandbox.root });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ output, requests: 4, errors: [], redactions: [] });
    const { text } = await readArchive(output);
    expect(text('hello.txt')).toBe('hello world\n');
    expect(text('output-file.txt')).toBe('hello world! "quoted"\n');
    expect(text('foo-bar')).toBe('123');
    const globbed = gnuTar(['tzf', output]).split('\n').filter(name => name.endsWith('.source'));
    expect(globbed.sort()).toEqual([
      'bottlerocket-logs/var/log/app/bar.source', 'bottlerocket-logs/var/log/app/depth1/bar.source',
      'bottlerocket-logs/var/log/app/depth1/depth2/bar.source', 'bottlerocket-logs/var/log/app/depth1/depth2/foo.source',
      'bottlerocket-logs/var/log/app/depth1/foo.source', 'bottlerocket-logs/var/log/app/foo.source',
    ]);
    expect(text('var/log/app/depth1/depth2/foo.source')).toBe('1');
  });

  tarTest.concurrent('a hung command is cut off by --timeout; the rest still runs', async () => {
    await using sandbox = await makeSandbox();
    writeRequests(sandbox, { 'hang.conf': 'exec hung sh -c "echo before; sleep 60"\nexec hello.txt echo hello world\n' });
    const output = sandbox.path('out.tar.gz');
    const started = performance.now();
    const result = await brkt('brkt', ['logs', '--timeout', '0.5', '--output', output], { root: sandbox.root });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('1 of 2 requests failed; see bottlerocket-logs/logdog.errors in the archive\n');
    const { text } = await readArchive(output);
    expect(text('logdog.errors')).toBe(`Error running command 'exec hung sh -c "echo before; sleep 60"': 'timed out after 0.5s'\n`);
    expect(text('hung')).toBe('before\n');
    expect(text('hello.txt')).toBe('hello world\n');
    expect(gnuTar(['xzOf', output, 'bottlerocket-logs/hung'])).toBe('before\n');
  });

  tarTest.concurrent('names and links that would leave the bundle are refused and reported', async () => {
    await using sandbox = await makeSandbox();
    await using scratchParent = makeTempDir();
    await using outside = makeTempDir();
    writeFileSync(outside.path('secret.log'), 'top secret');
    mkdirSync(sandbox.path('var/log/app'), { recursive: true });
    writeFileSync(sandbox.path('var/log/app/ok.log'), 'fine');
    symlinkSync(outside.path('secret.log'), sandbox.path('var/log/app/leak.log'));
    symlinkSync(outside.path('secret.log'), sandbox.path('leak'));
    writeRequests(sandbox, {
      'bad.conf': ['exec ../escape echo x', 'exec /abs echo x', 'file leak /leak', 'glob /var/log/app/*', 'exec logdog.errors echo overwritten', ''].join('\n'),
    });
    const output = sandbox.path('out.tar.gz');
    // The scratch directory goes to TMPDIR: a `../escape` would have landed beside it.
    const result = await brkt('brkt', ['logs', '--output', output], { root: sandbox.root, env: { TMPDIR: scratchParent.root } });
    expect(result.code).toBe(0);
    expect(readdirSync(scratchParent.root)).toEqual([]);
    const listed = gnuTar(['tzf', output]).trim().split('\n');
    for (const name of listed) expect(isSafeMemberName(name) && name.startsWith('bottlerocket-logs/')).toBe(true);
    expect(listed).toContain('bottlerocket-logs/var/log/app/ok.log');
    expect(listed).not.toContain('bottlerocket-logs/var/log/app/leak.log');
    expect(gnuTar(['xzOf', output])).not.toContain('top secret');
    const { text } = await readArchive(output);
    expect(text('logdog.errors')!.split('\n')).toEqual([
      `Error running command 'exec ../escape echo x': 'Output filename '../escape' is not a plain file name in request: 'exec ../escape echo x''`,
      `Error running command 'exec /abs echo x': 'Output filename '/abs' is not a plain file name in request: 'exec /abs echo x''`,
      `Error running command 'file leak /leak': 'Refusing '/leak': it resolves to '${outside.path('secret.log')}', outside the root'`,
      `Error running command 'glob /var/log/app/*': 'Skipped '/var/log/app/leak.log -> ${outside.path('secret.log')}': a link outside the pattern's directory'`,
      `Error running command 'exec logdog.errors echo overwritten': 'Output filename 'logdog.errors' is reserved for the bundle itself'`,
      '',
    ]);
  });
});

describe('the logdog role', () => {
  tarTest.concurrent("keeps upstream's console lines and default output path under the root", async () => {
    await using sandbox = await makeSandbox();
    writeRequests(sandbox, { 'b.conf': 'exec two echo 2\n', 'a.conf': 'exec one echo 1\nbogus line\n' });
    const result = await brkt('logdog', [], { root: sandbox.root });
    const output = sandbox.path('var/log/support/bottlerocket-logs.tar.gz');
    expect(result).toEqual({
      stdout: `Running: exec one echo 1\nRunning: bogus line\nRunning: exec two echo 2\nlogs are at: ${output}\n`,
      stderr: `Checking: ${sandbox.path('usr/share/logdog.d/a.conf')}\nChecking: ${sandbox.path('usr/share/logdog.d/b.conf')}\n`,
      code: 0,
    });
    expect(gnuTar(['xzOf', output, 'bottlerocket-logs/logdog.errors'])).toBe(`Error running command 'bogus line': 'Unknown request type 'bogus' in 'bogus line''\n`);
  });

  tarTest.concurrent('--output is relative to the current directory and printed as given', async () => {
    await using sandbox = await makeSandbox();
    await using cwd = makeTempDir();
    writeRequests(sandbox, { 'a.conf': 'exec one echo 1\n' });
    const result = await brkt('logdog', ['--output', 'sub/x.tgz'], { root: sandbox.root, cwd: cwd.root });
    expect(result.stdout).toEndWith('logs are at: sub/x.tgz\n');
    expect(result.code).toBe(0);
    expect(gnuTar(['xzOf', cwd.path('sub/x.tgz'), 'bottlerocket-logs/one'])).toBe('1\n');
  });

  test.concurrent.each([
    [['--bogus'], ''],
    [['--output', 'a', 'extra'], ''],
    [['--output'], 'Did not give argument to --output\n\n'],
  ])('logdog %p is usage, exit 2', async (args, message) => {
    await using sandbox = await makeSandbox();
    const result = await brkt('logdog', args, { root: sandbox.root });
    expect(result).toEqual({ stdout: '', stderr: `${message}Usage: logdog\n            [ --output PATH ]       where to write archived logs\n\n`, code: 2 });
    expect(existsSync(sandbox.path('var/log/support'))).toBe(false);
  });

  test.concurrent('an unreadable request directory is fatal, as upstream', async () => {
    await using sandbox = await makeSandbox();
    mkdirSync(sandbox.path('usr/share'), { recursive: true });
    writeFileSync(sandbox.path('usr/share/logdog.d'), 'not a directory');
    const result = await brkt('logdog', [], { root: sandbox.root });
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(`Unable to walk directory '${sandbox.path('usr/share/logdog.d')}': `);
    expect(existsSync(sandbox.path('var/log/support/bottlerocket-logs.tar.gz'))).toBe(false);
  });
});

describe('brkt logs options', () => {
  test.concurrent.each([
    [['--since', 'yesterday'], `brkt: Invalid duration 'yesterday' for --since: use a number with s, m, h, d or w, like 90m or 2h\n`],
    [['--timeout', 'soon'], `brkt: Invalid timeout 'soon' for --timeout: give seconds, 0 for none\n`],
  ])('brkt logs %p is bad input, exit 2', async (args, stderr) => {
    await using sandbox = await makeSandbox();
    expect(await brkt('brkt', ['logs', ...args], { root: sandbox.root, cwd: sandbox.root })).toEqual({ stdout: '', stderr, code: 2 });
  });

  withTool('script').concurrent('on a terminal, one progress line per request', async () => {
    await using sandbox = await makeSandbox();
    writeRequests(sandbox, { 'a.conf': 'exec hello.txt echo hello world\nbogus x\n' });
    const command = [BRKT_BIN, '--root', sandbox.root, 'logs', '--output', sandbox.path('o.tgz')].map(word => `'${word}'`).join(' ');
    const proc = Bun.spawn({ cmd: ['script', '-qec', command, '/dev/null'], env: testEnv, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' });
    const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(code).toBe(0);
    const lines = out.replace(/\r/g, '').split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^\[1\/2\] exec hello\.txt echo hello world: ok \(\d+\.\d\ds\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[2\/2\] bogus x: failed: Unknown request type 'bogus' in 'bogus x' \(\d+\.\d\ds\)$/));
    expect(lines).toContain(`logs are at: ${sandbox.path('o.tgz')}`);
  });
});

test('the e2e archive reader matches the writer for a large member', async () => {
  await using sandbox = await makeSandbox();
  mkdirSync(sandbox.path('var/log/big'), { recursive: true });
  const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, index) => (index * 31) & 0xff);
  writeFileSync(sandbox.path('var/log/big/blob.bin'), big);
  writeRequests(sandbox, { 'a.conf': 'glob /var/log/big/*\n' });
  const output = join(sandbox.root, 'o.tgz');
  expect((await brkt('brkt', ['logs', '--output', output], { root: sandbox.root })).code).toBe(0);
  const { entries } = await readArchive(output);
  const entry = entries.find(candidate => candidate.name === 'bottlerocket-logs/var/log/big/blob.bin')!;
  expect(Buffer.compare(Buffer.from(entry.content), Buffer.from(big))).toBe(0);
  expect(dirname(entry.name)).toBe('bottlerocket-logs/var/log/big');
});
