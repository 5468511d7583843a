// What a request or a planted file can make the bundle read: http requests fetch http(s) only,
// files are opened without following links when archived, and names the archive cannot hold
// are lines in logdog.errors. Every archive is opened with GNU tar.
import { describe, expect } from 'bun:test';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { makePlatform } from '../../platform';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { withTool } from '../../../test/helpers/tools';
import { collectLogs } from './collect';
import { writeTarGz } from './tarball';

const tarTest = withTool('tar');

function gnuTar(args: string[]): string {
  const result = Bun.spawnSync({ cmd: ['tar', ...args], stdout: 'pipe', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`tar ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

/** Member names and the text of one member, as GNU tar reads them. */
const listed = (archive: string) => gnuTar(['-tzf', archive]).split('\n').filter(Boolean);
const member = (archive: string, name: string) => gnuTar(['-xzOf', archive, `bottlerocket-logs/${name}`]);

/** A root with a secret beside it, outside. */
function rootAndSecret() {
  const dir = makeTempDir('brkt-bundle-');
  mkdirSync(dir.path('root/var/log/app'), { recursive: true });
  writeFileSync(dir.path('secret'), 'host secret');
  const platform = makePlatform({ root: dir.path('root'), env: {} });
  return Object.assign(dir, { platform, output: dir.path('out/bundle.tar.gz') });
}

describe('http requests', () => {
  tarTest.concurrent('fetch http(s) only: file:// and a redirect to file:// are error lines, and no file is written', async () => {
    await using t = rootAndSecret();
    await using server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: request => (new URL(request.url).pathname === '/ok' ? new Response('fine') : Response.redirect(`file://${t.path('secret')}`, 302)),
    });
    const base = `http://127.0.0.1:${server.port}`;
    const result = await collectLogs(t.platform, {
      output: t.output,
      requests: [`http local file://${t.path('secret')}`, `http data data:text/plain,x`, `http hop ${base}/redirect`, `http ok ${base}/ok`],
    });
    expect(result.errors).toEqual([
      `Error running command 'http local file://${t.path('secret')}': 'Refusing URL 'file://${t.path('secret')}': only http and https URLs are fetched'`,
      `Error running command 'http data data:text/plain,x': 'Refusing URL 'data:text/plain,x': only http and https URLs are fetched'`,
      `Error running command 'http hop ${base}/redirect': 'HTTP GET '${base}/redirect' failed: only http and https URLs are fetched, not file'`,
    ]);
    expect(listed(t.output)).toEqual(['bottlerocket-logs/', 'bottlerocket-logs/logdog.errors', 'bottlerocket-logs/ok', 'bottlerocket-logs/redactions']);
    expect(member(t.output, 'ok')).toBe('fine');
  });
});

describe('files are opened without following links when they are archived', () => {
  tarTest.concurrent('a glob match swapped for a link after the glob ran is left out and said so', async () => {
    await using t = rootAndSecret();
    writeFileSync(t.path('root/var/log/app/a.log'), 'mine');
    writeFileSync(t.path('root/var/log/app/b.log'), 'kept');
    const result = await collectLogs(t.platform, {
      output: t.output,
      requests: ['glob /var/log/app/*'],
      onRequest: event => {
        if (event.phase !== 'done') return;
        // Between the glob and the archive: the matched file becomes a link to the secret.
        renameSync(t.path('root/var/log/app/a.log'), t.path('root/var/log/app/a.old'));
        symlinkSync(t.path('secret'), t.path('root/var/log/app/a.log'));
      },
    });
    expect(result.errors).toEqual([
      `Error running command 'glob /var/log/app/*': 'Skipped '/var/log/app/a.log': ${t.path('root/var/log/app/a.log')} is a link, which is not followed'`,
    ]);
    expect(listed(t.output)).toEqual([
      'bottlerocket-logs/', 'bottlerocket-logs/logdog.errors', 'bottlerocket-logs/redactions',
      'bottlerocket-logs/var/', 'bottlerocket-logs/var/log/', 'bottlerocket-logs/var/log/app/', 'bottlerocket-logs/var/log/app/b.log',
    ]);
    expect(member(t.output, 'logdog.errors')).toBe(result.errors.map(line => line + '\n').join(''));
    expect(readFileSync(t.output).includes('host secret')).toBe(false);
    expect(gnuTar(['-xzOf', t.output]).includes('host secret')).toBe(false);
  });

  tarTest.concurrent('the archive writer itself refuses a link, and a directory link on the way out of the root', async () => {
    await using t = rootAndSecret();
    mkdirSync(t.path('scratch'));
    writeFileSync(t.path('root/var/log/app/ok.log'), 'ok');
    symlinkSync(t.path('secret'), t.path('root/var/log/app/link.log'));
    mkdirSync(t.path('outside-dir'));
    writeFileSync(t.path('outside-dir/x.log'), 'host secret');
    symlinkSync(t.path('outside-dir'), t.path('root/var/log/dir'));
    const skipped: string[] = [];
    const members = await writeTarGz(t.platform.bundleIo, t.path('scratch'), t.output, new Date(0), [
      { member: 'var/log/app/link.log', source: t.path('root/var/log/app/link.log') },
      { member: 'var/log/app/ok.log', source: t.path('root/var/log/app/ok.log') },
      { member: 'var/log/dir/x.log', source: t.path('root/var/log/dir/x.log') },
    ], (name, reason) => skipped.push(`${name}: ${reason}`));
    expect(skipped).toEqual([
      `var/log/app/link.log: ${t.path('root/var/log/app/link.log')} is a link, which is not followed`,
      `var/log/dir/x.log: Refusing path ${t.path('root/var/log/dir/x.log')}: a link in it points at ${t.path('outside-dir')}, outside the root ${t.path('root')}`,
    ]);
    expect(members).not.toContain('bottlerocket-logs/var/log/app/link.log');
    expect(listed(t.output)).toContain('bottlerocket-logs/var/log/app/ok.log');
    expect(gnuTar(['-xzOf', t.output]).includes('host secret')).toBe(false);
  });
});

describe('file requests', () => {
  tarTest.concurrent('the copy opens its source without following a link swapped in after the check', async () => {
    await using t = rootAndSecret();
    mkdirSync(t.path('scratch'));
    symlinkSync(t.path('secret'), t.path('root/var/log/app/swapped.log'));
    // What runFile hands over once its realpath check passed: the path itself, now a link.
    await expect(t.platform.bundleIo.copyFile(t.path('root/var/log/app/swapped.log'), t.path('scratch/copy'))).rejects.toThrow('is a link, which is not followed');
    expect(readdirSync(t.path('scratch'))).toEqual([]);
  });
});

describe('names the archive cannot hold', () => {
  tarTest.concurrent('a backslash or a name that is not UTF-8 is a line in logdog.errors; the bundle goes on', async () => {
    await using t = rootAndSecret();
    writeFileSync(t.path('root/var/log/app/back\\slash.log'), 'b');
    writeFileSync(Buffer.concat([Buffer.from(t.path('root/var/log/app/')), Buffer.from([0x62, 0xff, 0x2e, 0x6c, 0x6f, 0x67])]), 'u');
    writeFileSync(t.path('root/var/log/app/plain.log'), 'p');
    const result = await collectLogs(t.platform, { output: t.output, requests: ['glob /var/log/app/*', 'exec back\\slash echo x', 'exec after echo after'] });
    expect(result.errors).toEqual([
      `Error running command 'glob /var/log/app/*': 'Skipped '/var/log/app/b\uFFFD.log': its name is not UTF-8, which the archive cannot hold'`,
      `Error running command 'glob /var/log/app/*': 'Skipped '/var/log/app/back\\slash.log': its name cannot go into the archive (a backslash or control character)'`,
      `Error running command 'exec back\\slash echo x': 'Output filename 'back\\slash' is not a plain file name in request: 'exec back\\slash echo x''`,
    ]);
    expect(listed(t.output)).toEqual([
      'bottlerocket-logs/', 'bottlerocket-logs/after', 'bottlerocket-logs/logdog.errors', 'bottlerocket-logs/redactions',
      'bottlerocket-logs/var/', 'bottlerocket-logs/var/log/', 'bottlerocket-logs/var/log/app/', 'bottlerocket-logs/var/log/app/plain.log',
    ]);
    expect(member(t.output, 'logdog.errors')).toBe(result.errors.map(line => line + '\n').join(''));
    expect(member(t.output, 'after')).toBe('after\n');
  });
});

describe('the archive itself', () => {
  tarTest.concurrent('is not written through a link out of the root in its default place', async () => {
    await using t = rootAndSecret();
    mkdirSync(t.path('root/var/log'), { recursive: true });
    mkdirSync(t.path('outside'));
    symlinkSync(t.path('outside'), t.path('root/var/log/support'));
    const output = t.platform.paths.logdogOutput;
    await expect(collectLogs(t.platform, { output, requests: ['exec hello echo hi'] })).rejects.toThrow(`Failed to create archive ${output}: Refusing path ${output}: a link in it points at ${t.path('outside')}, outside the root`);
    expect(readdirSync(t.path('outside'))).toEqual([]);
    // Without the link the same place works, and GNU tar reads the result.
    rmSync(t.path('root/var/log/support'));
    await collectLogs(t.platform, { output, requests: ['exec hello echo hi'] });
    expect(member(output, 'hello')).toBe('hi\n');
  });
});
