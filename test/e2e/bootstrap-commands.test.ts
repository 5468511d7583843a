// bootstrap-commands (settings-now.md 7, test vector 13) in a booted sandbox, through the
// compiled binary: entries run in name order after settings-applier, as brkt's apiclient role;
// a `once` entry turns itself off; an essential failure stops the boot before it is marked good.
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeSandbox } from '../helpers/sandbox';

const USER_DATA = 'var/lib/bottlerocket/user-data.toml';

test('vector 13: a then z, z turned off by apiclient set, final motd z', async () => {
  await using sandbox = await makeSandbox();
  await sandbox.platform.files.writeAtomic(sandbox.path(USER_DATA), [
    '[settings.bootstrap-commands.z]',
    'commands = [["apiclient", "set", "motd=z"]]',
    'mode = "once"',
    '[settings.bootstrap-commands.a]',
    'commands = [["apiclient", "set", "motd=a"]]',
    'mode = "always"',
    '[settings.bootstrap-commands.off]',
    'commands = [["apiclient", "set", "motd=off"]]',
    '',
  ].join('\n'));
  await using served = spawnBoot(sandbox.root, ['--serve']);
  await served.waitForLine('boot: serving the API on');
  const lines = served.lines.map(line => line.text);
  const at = (text: string) => lines.findIndex(line => line.includes(text));
  expect(at('bootstrap-commands: a: ran 1 command')).toBeGreaterThan(at('boot: settings-applier'));
  expect(at('bootstrap-commands: z: ran 1 command, mode set to off')).toBeGreaterThan(at('bootstrap-commands: a: ran'));
  expect(lines).toContain('boot: bootstrap-commands: ran a, z');
  expect(at('boot: mark-successful-boot')).toBeGreaterThan(at('boot: bootstrap-commands'));

  const get = await brkt('brkt', ['settings', 'get', 'motd', 'bootstrap-commands', '--json'], { root: sandbox.root });
  expect(JSON.parse(get.stdout)).toEqual({
    motd: 'z',
    'bootstrap-commands': {
      a: { commands: [['apiclient', 'set', 'motd=a']], mode: 'always' },
      off: { commands: [['apiclient', 'set', 'motd=off']] },
      z: { commands: [['apiclient', 'set', 'motd=z']], mode: 'off' },
    },
  });
  expect(readFileSync(sandbox.path('etc/motd'), 'utf8')).toBe('z\n');
  // The rendered file follows the change made by the once entry.
  expect(readFileSync(sandbox.path('etc/bootstrap-commands/bootstrap-commands.toml'), 'utf8')).toContain('[bootstrap-commands."z"]\ncommands = [["apiclient", "set", "motd=z"]]\nmode = "off"\n');
});

test('a failing entry is logged and the boot goes on; an essential one stops it (exit 1, not marked successful)', async () => {
  await using sandbox = await makeSandbox();
  await sandbox.platform.files.writeAtomic(sandbox.path(USER_DATA), [
    '[settings.bootstrap-commands.a-bad]',
    'commands = [["apiclient", "set", "nosuch=1"], ["apiclient", "set", "motd=never"]]',
    'mode = "always"',
    '[settings.bootstrap-commands.b-essential]',
    'commands = [["apiclient", "set", "kernel.lockdown=sideways"]]',
    'mode = "always"',
    'essential = true',
    '',
  ].join('\n'));
  const boot = await brkt('brkt', ['boot'], { root: sandbox.root });
  expect(boot.code).toBe(1);
  expect(boot.stdout).toMatch(/^bootstrap-commands: a-bad failed: 'apiclient set nosuch=1' exited with \d+/m);
  expect(boot.stderr).toMatch(/^brkt: Boot failed at bootstrap-commands: essential bootstrap command b-essential failed: 'apiclient set kernel.lockdown=sideways' exited with /);
  expect(boot.stdout).not.toContain('mark-successful-boot');
  // The second command of the failed entry never ran.
  expect(readFileSync(sandbox.path('etc/motd'), 'utf8')).not.toContain('never');
});

test('a command that is not apiclient is refused with the user data (400 ApiclientCommand, a bad-input exit)', async () => {
  await using sandbox = await makeSandbox();
  await sandbox.platform.files.writeAtomic(sandbox.path(USER_DATA), '[settings.bootstrap-commands.x]\ncommands = [["/usr/bin/touch", "x"]]\nmode = "always"\n');
  const boot = await brkt('brkt', ['boot'], { root: sandbox.root });
  expect(boot.code).toBe(2);
  expect(boot.stderr).toContain('ApiclientCommand');
});
