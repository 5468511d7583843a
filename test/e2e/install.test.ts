// `brkt install` from the compiled binary: the binary is copied into the tree, the tool links
// start it under their names, and systemd's own checker accepts the units in an image-like tree.
import { describe, expect, test } from 'bun:test';
import { cpSync, copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { brkt, BRKT_BIN } from '../helpers/brkt';
import { makeTempDir } from '../helpers/sandbox';
import { withTool } from '../helpers/tools';

const UNIT_DIR = 'usr/lib/systemd/system';

describe('brkt install', () => {
  test('--dry-run prints the units and writes nothing', async () => {
    await using dir = makeTempDir();
    const result = await brkt('brkt', ['install', '--dry-run'], { root: dir.root });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('# /usr/lib/systemd/system/apiserver.service\n');
    expect(result.stdout).toContain('Type=notify\nExecStart=/usr/bin/apiserver --datastore-path /var/lib/bottlerocket/datastore/current --socket-gid 274\n');
    expect(readdirSync(dir.root)).toEqual([]);
  });

  test('copies the binary and links the tools to it', async () => {
    await using dir = makeTempDir();
    const result = await brkt('brkt', ['--root', dir.root, 'install'], {});
    expect(result).toEqual({ stdout: `Installed 17 files and 22 links under ${dir.root}\nbinary: ${dir.path('usr/bin/brkt')} (copied from ${BRKT_BIN})\n`, stderr: '', code: 0 });
    expect(statSync(dir.path('usr/bin/brkt')).mode & 0o777).toBe(0o755);
    const help = await brkt('', ['--help'], { bin: dir.path('usr/bin/migrator') });
    expect(help.stdout).toContain('Usage: migrator');
    expect(help.code).toBe(0);
  });

  withTool('systemd-analyze')('systemd-analyze verify accepts every unit in an image-like tree', async () => {
    await using dir = makeTempDir();
    expect((await brkt('brkt', ['--root', dir.root, 'install'])).code).toBe(0);
    // What an image has besides brkt's units: systemd's own units and systemctl.
    cpSync('/usr/lib/systemd/system', dir.path(UNIT_DIR), { recursive: true, force: false, errorOnExist: false });
    mkdirSync(dir.path('usr/bin'), { recursive: true });
    copyFileSync('/usr/bin/systemctl', dir.path('usr/bin/systemctl'));
    const ours = readdirSync(dir.path(UNIT_DIR)).filter(name => /^(migrator|storewolf|apiserver|early-boot-config|sundog|settings-applier|mark-successful-boot|activate-configured|activate-multi-user)\.service$|^(pre)?configured\.target$/.test(name));
    expect(ours.length).toBe(11);
    const proc = Bun.spawn({ cmd: ['systemd-analyze', 'verify', '--man=no', `--root=${dir.root}`, ...ours.map(name => dir.path(`${UNIT_DIR}/${name}`))], stdout: 'pipe', stderr: 'pipe' });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect({ stdout, stderr, code }).toEqual({ stdout: '', stderr: '', code: 0 });
  });
});
