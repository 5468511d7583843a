// The outside of the binary: roles by name, help, version, and the one-line error contract.
import { describe, expect, test } from 'bun:test';
import { mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRKT_BIN, brkt } from '../helpers/brkt';
import { makeSandbox, makeTempDir } from '../helpers/sandbox';
import { ROLE_NAMES } from '../../src/dispatch';
import { VERSION } from '../../src/version';
import { buildIdOf } from '../../src/core/sandbox/init';

describe('version and help', () => {
  test.concurrent('--version names brkt and the OS it runs on', async () => {
    await using sandbox = await makeSandbox();
    expect(await brkt('brkt', ['--version'], { root: sandbox.root })).toEqual({
      stdout: `brkt ${VERSION} (os 1.0.0, variant aws-dev, build ${buildIdOf('1.0.0', 'aws-dev')})\n`,
      stderr: '',
      code: 0,
    });
  });

  test.concurrent('--version without an os-release says so and still succeeds', async () => {
    await using dir = makeTempDir();
    expect(await brkt('brkt', ['--root', dir.root, '--version'])).toEqual({
      stdout: `brkt ${VERSION} (os unknown: no etc/os-release)\n`,
      stderr: '',
      code: 0,
    });
  });

  test.concurrent('--help lists every command with a description', async () => {
    const result = await brkt('brkt', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const name of ['boot', 'dev', 'links', 'completions']) expect(result.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });

  test.concurrent('a group help shows its commands and examples', async () => {
    const result = await brkt('brkt', ['dev', 'init', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('brkt dev init');
    expect(result.stdout).toContain('--variant');
  });
});

describe('errors are one line on stderr with the documented exit code', () => {
  test.each([
    [['nosuch'], `brkt: unknown command 'nosuch' (see 'brkt --help')\n`, 2],
    [[], `brkt: missing command (see 'brkt --help')\n`, 2],
    [['dev', 'init'], undefined, 2],
    [['dev', 'init', 'a', 'b'], undefined, 2],
    [['links', '--bogus', 'x'], undefined, 2],
    [['completions', 'tcsh'], `brkt: Unknown shell 'tcsh': choose bash, zsh or fish\n`, 2],
    [['links', '/nonexistent-dir-for-brkt'], `brkt: Cannot create links in /nonexistent-dir-for-brkt: not a directory\n`, 2],
  ] as const)('brkt %p', async (args, stderr, code) => {
    const result = await brkt('brkt', [...args]);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(code);
    expect(result.stderr.split('\n')).toHaveLength(2); // one line and its newline
    if (stderr) expect(result.stderr).toBe(stderr);
    else expect(result.stderr).toStartWith('brkt: ');
  });
});

describe('roles', () => {
  test.concurrent.each(ROLE_NAMES.map(role => [role]))('%s behaves the same by argv0, by `brkt %s` and by a real link', async role => {
    await using sandbox = await makeSandbox();
    await using bin = makeTempDir();
    const link = join(bin.root, role);
    symlinkSync(BRKT_BIN, link);
    // `brkt signpost --help` is brkt's group help (group-help.test.ts); a command compares the same.
    const args = role === 'signpost' ? ['status'] : ['--help'];
    const byArgv0 = await brkt(role, args, { root: sandbox.root });
    const byLink = await brkt(role, args, { root: sandbox.root, bin: link });
    const bySubcommand = await brkt('brkt', [role, ...args], { root: sandbox.root });
    expect(byLink).toEqual(byArgv0);
    // Shown as `brkt signpost` instead of `signpost`, otherwise the same.
    const shownAsRole = (text: string) => text.replaceAll(`brkt ${role}`, role);
    expect(bySubcommand.code).toBe(byArgv0.code);
    expect(shownAsRole(bySubcommand.stdout)).toBe(shownAsRole(byArgv0.stdout));
    expect(shownAsRole(bySubcommand.stderr)).toBe(shownAsRole(byArgv0.stderr));
    expect(byArgv0.stdout + byArgv0.stderr).toContain(role === 'signpost' ? 'Active:  Set A' : role);
  });

  test.concurrent('any other name is brkt', async () => {
    expect(await brkt('my-brkt-copy', ['--help'])).toEqual(await brkt('brkt', ['--help']));
  });
});

describe('brkt links', () => {
  test.concurrent('creates every role link, then keeps them', async () => {
    await using dir = makeTempDir();
    const first = await brkt('brkt', ['links', '--json', dir.root]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual(ROLE_NAMES.map(name => ({ name, path: join(dir.root, name), action: 'created' })));
    for (const name of ROLE_NAMES) expect(readlinkSync(join(dir.root, name))).toBe(BRKT_BIN);
    const second = await brkt('brkt', ['links', '--json', dir.root]);
    expect(JSON.parse(second.stdout).map((r: { action: string }) => r.action)).toEqual(ROLE_NAMES.map(() => 'kept'));
  });

  test.concurrent('refuses to overwrite a regular file and changes nothing', async () => {
    await using dir = makeTempDir();
    writeFileSync(join(dir.root, 'updog'), 'precious');
    const result = await brkt('brkt', ['links', dir.root]);
    expect(result).toEqual({ stdout: '', stderr: `brkt: Refusing to overwrite ${join(dir.root, 'updog')}: it is not a link\n`, code: 2 });
    expect(readFileSync(join(dir.root, 'updog'), 'utf8')).toBe('precious');
    expect(readlinkSync.bind(null, join(dir.root, 'apiclient'))).toThrow();
  });
});

describe('brkt dev init', () => {
  test.concurrent('creates a sandbox and is idempotent', async () => {
    await using dir = makeTempDir();
    const root = join(dir.root, 'sb');
    expect(await brkt('brkt', ['dev', 'init', root])).toEqual({ stdout: `Created sandbox ${root} (variant aws-dev)\n`, stderr: '', code: 0 });
    const osRelease = readFileSync(join(root, 'etc/os-release'), 'utf8');
    expect(osRelease).toContain('VERSION_ID=1.0.0\n');
    expect(osRelease).toContain('VARIANT_ID=aws-dev\n');
    expect(readFileSync(join(root, 'README.txt'), 'utf8')).toContain('brkt sandbox');
    expect(await brkt('brkt', ['dev', 'init', root])).toEqual({ stdout: `Completed sandbox ${root} (variant aws-dev)\n`, stderr: '', code: 0 });
  });

  test.concurrent('refuses a non-empty directory that is not a sandbox', async () => {
    await using dir = makeTempDir();
    mkdirSync(join(dir.root, 'home'));
    expect(await brkt('brkt', ['dev', 'init', dir.root])).toEqual({
      stdout: '',
      stderr: `brkt: Refusing to create a sandbox in ${dir.root}: the directory is not empty and is not a sandbox\n`,
      code: 2,
    });
  });
});

describe('brkt completions', () => {
  test.concurrent.each([['bash'], ['zsh'], ['fish']])('%s matches completions/ and parses', async shell => {
    const result = await brkt('brkt', ['completions', shell]);
    expect(result.code).toBe(0);
    const committed = readFileSync(join(import.meta.dir, `../../completions/brkt.${shell}`), 'utf8');
    expect(result.stdout).toBe(committed);
    expect(result.stdout).toContain('completions');
    if (shell === 'bash') {
      const check = Bun.spawnSync({ cmd: ['bash', '-n'], stdin: new TextEncoder().encode(result.stdout) });
      expect(check.exitCode).toBe(0);
    }
  });

  test('bash completes subcommands and options', async () => {
    const script = (await brkt('brkt', ['completions', 'bash'])).stdout;
    const complete = (words: string[]) => {
      const program = `${script}\nCOMP_WORDS=(${words.map(w => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _brkt; echo "\${COMPREPLY[*]}"`;
      return Bun.spawnSync({ cmd: ['bash', '-c', program] }).stdout.toString().trim();
    };
    expect(complete(['brkt', 'de'])).toBe('dev');
    expect(complete(['brkt', 'dev', ''])).toBe('init vm');
    expect(complete(['brkt', 'dev', 'init', '--v'])).toBe('--variant');
    expect(complete(['brkt', 'completions', 'z'])).toBe('zsh');
  });
});
