// Settings survive an update and a rollback (migrations.md 2-7, datastore.md 9), through the
// binary: a release 1.1.0 published with `brkt repo` whose migration renames a host container and
// adds a setting; update, reboot and rollback of a `brkt dev init` sandbox; SIGKILLs during the
// migrator step of `brkt boot`.
import { describe, expect, test } from 'bun:test';
import { copyFileSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeTempDir } from '../helpers/sandbox';
import { makePlatform } from '../../src/platform';
import { Datastore } from '../../src/core/datastore/store';
import { buildIdOf, osReleaseFor } from '../../src/core/sandbox/init';
import { encodeSandboxRoot } from '../../src/core/sandbox/root-image';

const BASE = 'var/lib/bottlerocket/datastore';
const VARIANT = 'aws-dev';
const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
/** What add-migration publishes: the document, LZ4-framed, under its name plus `.lz4`. */
const MIGRATION = 'migrate_v1.1.0_toolbox.json';
const PUBLISHED = `${MIGRATION}.lz4`;

/**
 * The 1.1.0 migration. Both versions run the same binary, so both names must be valid in one
 * model: host container names are map keys (any Identifier), and settings.network.hostname is in
 * every variant's model; 1.1.0 "introduces" it, so going back to 1.0.0 removes it.
 */
const DOCUMENT = {
  description: '1.1.0 calls the dev-tools host container toolbox, and adds settings.network.hostname',
  steps: [
    { kind: 'RenameSettings', renames: [{ from: 'settings.host-containers.dev-tools', to: 'settings.host-containers.toolbox' }] },
    { kind: 'AddSettings', keys: ['settings.network.hostname'] },
  ],
};

const DEV_TOOLS = { enabled: true, source: 'public.ecr.aws/example/dev-tools:v1', superpowered: false };

interface Host extends AsyncDisposable {
  root: string;
  path(rel: string): string;
  run(args: string[]): ReturnType<typeof brkt>;
}

/**
 * A sandbox from `brkt dev init`, pointed (trusted root and user data) at a new repository made
 * by `brkt repo` that holds release 1.1.0 and its migration from 1.0.0.
 */
async function publishedSandbox(userData = ''): Promise<Host> {
  const dir = makeTempDir('brkt-update-migrations-');
  const root = dir.path('sandbox');
  const repo = dir.path('repo');
  const ok = async (args: string[], options: { root?: string } = {}) => {
    const result = await brkt('brkt', args, options);
    expect({ args, ...result }).toMatchObject({ args, code: 0, stderr: '' });
    return result;
  };
  await ok(['dev', 'init', root, '--variant', VARIANT]);
  await ok(['repo', 'init', repo]);
  writeFileSync(dir.path('root.ext4'), encodeSandboxRoot(osReleaseFor('1.1.0', VARIANT), 64 << 10));
  writeFileSync(dir.path('boot.ext4'), new TextEncoder().encode(`boot ${VARIANT} 1.1.0\n`.padEnd(4096, '\0')));
  writeFileSync(dir.path('root.verity'), new TextEncoder().encode(`hash ${VARIANT} 1.1.0\n`.padEnd(4096, '\0')));
  await ok(['repo', 'add-release', repo, '--variant', VARIANT, '--arch', ARCH, '--version', '1.1.0', '--build-id', buildIdOf('1.1.0', VARIANT),
    '--boot-image', dir.path('boot.ext4'), '--root-image', dir.path('root.ext4'), '--hash-image', dir.path('root.verity')]);
  writeFileSync(dir.path(MIGRATION), JSON.stringify(DOCUMENT, null, 2));
  expect((await ok(['repo', 'add-migration', repo, '--from', '1.0.0', '--to', '1.1.0', dir.path(MIGRATION)])).stdout).toBe(`Added (1.0.0, 1.1.0): ${PUBLISHED}\n`);

  // The image's trusted root and the user data say where updates come from.
  copyFileSync(join(repo, 'metadata/1.root.json'), join(root, 'usr/share/updog/root.json'));
  writeFileSync(join(root, 'var/lib/bottlerocket/user-data.toml'), [
    '[settings.updates]',
    `metadata-base-url = "${pathToFileURL(join(repo, 'metadata')).href}/"`,
    `targets-base-url = "${pathToFileURL(join(repo, 'targets')).href}/"`,
    userData,
  ].join('\n'));
  return {
    root,
    path: rel => join(root, rel),
    run: args => brkt('brkt', args, { root }),
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
}

/** The datastore base: each link and where it points (relative, as written), and the directories. */
function linkChain(host: Host) {
  const base = host.path(BASE);
  const links: Record<string, string> = {};
  const directories: string[] = [];
  for (const name of readdirSync(base).sort()) {
    if (lstatSync(join(base, name)).isSymbolicLink()) links[name] = readlinkSync(join(base, name));
    else directories.push(name);
  }
  return { links, directories };
}

/** `settings.*` of a datastore directory's live tree, dotted name -> JSON text. */
async function liveSettings(path: string): Promise<Record<string, string>> {
  const { data } = await new Datastore(makePlatform({ root: '/', env: {} }).files, path).loadLive();
  return Object.fromEntries([...data].filter(([name]) => name.startsWith('settings.')).map(([name, value]) => [name, value.text]));
}

const DIRECTORY = (version: string) => new RegExp(`^v${version.replaceAll('.', '\\.')}_[A-Za-z0-9]{16}$`);

async function settingsJson(host: Host, ...prefixes: string[]) {
  const result = await host.run(['settings', 'get', '--json', ...prefixes]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
}

describe('a release that renames a setting and adds one', () => {
  test.concurrent('update --now && reboot migrates forward; rollback && reboot migrates back; the link chain follows', async () => {
    await using host = await publishedSandbox();
    await using served = spawnBoot(host.root, ['--serve']);
    await served.waitForLine('boot: serving the API on');

    // First boot (datastore.md 9.1): storewolf's chain for 1.0.0.
    const first = linkChain(host);
    const original = first.directories[0]!;
    expect(original).toMatch(DIRECTORY('1.0.0'));
    expect(first).toEqual({ links: { current: 'v1', v1: 'v1.0', 'v1.0': 'v1.0.0', 'v1.0.0': original }, directories: [original] });

    const set = await host.run(['settings', 'set', ...Object.entries(DEV_TOOLS).map(([key, value]) => `host-containers.dev-tools.${key}=${value}`)]);
    expect(set).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await settingsJson(host, 'host-containers.dev-tools'))['host-containers']).toEqual({ 'dev-tools': DEV_TOOLS });

    expect(await host.run(['update', 'check'])).toEqual({ code: 0, stdout: 'Update available: aws-dev 1.1.0 (running 1.0.0)\n', stderr: '' });
    expect(await host.run(['update', '--now'])).toEqual({ code: 0, stdout: "Update applied: aws-dev 1.1.0; it boots next (run 'brkt reboot')\n", stderr: '' });
    // What the next boot's migrator reads: the manifest and the migration it names, verified.
    expect(readdirSync(host.path('var/lib/bottlerocket-migrations')).sort()).toEqual(['manifest.json', PUBLISHED]);
    expect(JSON.parse(readFileSync(host.path('var/lib/bottlerocket-migrations/manifest.json'), 'utf8')).migrations).toEqual({ '(1.0.0, 1.1.0)': [PUBLISHED] });
    // Nothing moves before the reboot.
    expect(linkChain(host)).toEqual(first);

    const reboot = await host.run(['reboot']);
    expect(reboot).toEqual({ code: 0, stdout: `Rebooting: the serving brkt boot (pid ${served.child.pid}) boots again\n`, stderr: '' });
    await served.waitForLine('boot: serving the API on', 2);
    expect(served.output()).toContain(`reboot: booted set B, version 1.1.0\nboot: bootloader: set B, version 1.1.0\nboot: os-release: running Bottlerocket OS 1.1.0 (aws-dev)\nboot: migrator: forward 1.0.0 -> 1.1.0, ran ${PUBLISHED}\n`);
    expect((await host.run(['--version'])).stdout).toContain('(os 1.1.0, variant aws-dev');

    // Renamed, with every key below it; the other host containers untouched.
    const upgraded = (await settingsJson(host, 'host-containers'))['host-containers']!;
    expect(upgraded.toolbox).toEqual(DEV_TOOLS);
    expect(Object.keys(upgraded).sort()).toEqual(['admin', 'control', 'toolbox']);
    expect(await host.run(['settings', 'set', 'network.hostname=node-1'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await settingsJson(host, 'network')).toEqual({ network: { hostname: 'node-1' } });

    // migrations.md 6.2 with settings-now.md 1.8: a new directory, the 1.1 links, current
    // flipped; the 1.0.0 datastore and links are removed (core-kit 14.0.1).
    const second = linkChain(host);
    const upgradedDir = second.directories[0]!;
    expect(upgradedDir).toMatch(DIRECTORY('1.1.0'));
    expect(second).toEqual({
      links: { current: 'v1', v1: 'v1.1', 'v1.1': 'v1.1.0', 'v1.1.0': upgradedDir },
      directories: [upgradedDir],
    });
    expect(basename(realpathSync(host.path(`${BASE}/current`)))).toBe(upgradedDir);

    expect(await host.run(['rollback'])).toEqual({ code: 0, stdout: 'Next boot: set A, version 1.0.0 (running: set B, version 1.1.0)\n', stderr: '' });
    expect((await host.run(['reboot'])).code).toBe(0);
    await served.waitForLine('boot: serving the API on', 3);
    expect(served.output()).toContain(`reboot: booted set A, version 1.0.0\nboot: bootloader: set A, version 1.0.0\nboot: os-release: running Bottlerocket OS 1.0.0 (aws-dev)\nboot: migrator: backward 1.1.0 -> 1.0.0, ran ${PUBLISHED}\n`);
    expect((await host.run(['--version'])).stdout).toContain('(os 1.0.0, variant aws-dev');

    // Renamed back; the setting 1.1.0 added is gone.
    const restored = await settingsJson(host);
    expect(restored['host-containers']!['dev-tools']).toEqual(DEV_TOOLS);
    expect(Object.keys(restored['host-containers']!).sort()).toEqual(['admin', 'control', 'dev-tools']);
    expect(restored.network).toBeUndefined();
    expect(await host.run(['settings', 'get', 'network.hostname'])).toMatchObject({ code: 1, stdout: '' });

    // A backward run makes a new v1.0.0_<id>; only the running version's chain stays.
    const third = linkChain(host);
    const rolledBackDir = third.directories[0]!;
    expect(rolledBackDir).toMatch(DIRECTORY('1.0.0'));
    expect([original, upgradedDir]).not.toContain(rolledBackDir);
    expect(third).toEqual({
      links: { current: 'v1', v1: 'v1.0', 'v1.0': 'v1.0.0', 'v1.0.0': rolledBackDir },
      directories: [rolledBackDir],
    });

    served.child.kill('SIGTERM');
    await served.finished;
    expect(served.child.exitCode).toBe(0);
  });
});

describe('SIGKILL during the migrator step of brkt boot', () => {
  const KILLS_IN_MIGRATOR = 10;
  const MAX_ATTEMPTS = 60;

  test.concurrent('current always names a complete datastore, and the next brkt boot completes', async () => {
    // User data (applied once, on the first boot) sets the container; 40 sysctl entries give the
    // migration more to copy.
    const sysctls = Array.from({ length: 40 }, (_, i) => `"net.example.key${i}" = "${i}"`);
    await using host = await publishedSandbox([
      '[settings.host-containers.dev-tools]',
      ...Object.entries(DEV_TOOLS).map(([key, value]) => `${key} = ${JSON.stringify(value)}`),
      '[settings.kernel.sysctl]',
      ...sysctls,
      '',
    ].join('\n'));
    expect((await host.run(['boot'])).code).toBe(0);
    const base = host.path(BASE);
    const at100 = await liveSettings(`${base}/current`);
    expect(at100['settings.host-containers.dev-tools.source']).toBe(JSON.stringify(DEV_TOOLS.source));
    expect(Object.keys(at100).filter(key => key.startsWith('settings.kernel.sysctl.')).length).toBe(sysctls.length);
    const at110 = Object.fromEntries(Object.entries(at100).map(([key, text]) => [key.replace('settings.host-containers.dev-tools.', 'settings.host-containers.toolbox.'), text]));
    const expected: Record<string, Record<string, string>> = { '1.0.0': at100, '1.1.0': at110 };

    /**
     * The version the link chain names, checked against the settings of the directory it reaches.
     * Weak generated values (the host-container sources) go with a version change and come back
     * when sundog runs: a boot killed in between leaves them out, so only a finished boot
     * (`generated`) must hold them.
     */
    const WEAK = ['settings.host-containers.admin.source', 'settings.host-containers.control.source'];
    const withoutWeak = (settings: Record<string, string>) => Object.fromEntries(Object.entries(settings).filter(([key]) => !WEAK.includes(key)));
    const expectComplete = async (generated = false) => {
      const { links } = linkChain(host);
      expect(links.current).toBe('v1');
      const version = links[links.v1!]!.slice(1); // current -> v1 -> v1.x -> v1.x.y: the patch link's name
      expect(basename(realpathSync(`${base}/current`))).toMatch(DIRECTORY(version));
      const settings = await liveSettings(`${base}/current`);
      if (generated) expect(settings).toEqual(expected[version]!);
      else expect(withoutWeak(settings)).toEqual(withoutWeak(expected[version]!));
      return version;
    };
    const runningVersion = () => /^VERSION_ID=(.*)$/m.exec(readFileSync(host.path('etc/os-release'), 'utf8'))![1]!;
    const rebootInto = async (version: string) => {
      const reboot = await host.run(['reboot']);
      expect(reboot).toMatchObject({ code: 0, stdout: expect.stringContaining(`version ${version};`) });
    };
    /** One undisturbed boot; its output is the reference for the migrator step's duration. */
    const completeBoot = async (version: string) => {
      await using boot = spawnBoot(host.root);
      await boot.finished;
      expect({ code: boot.child.exitCode, output: boot.output() }).toMatchObject({ code: 0, output: expect.stringContaining('boot: mark-successful-boot: ') });
      expect(await expectComplete(true)).toBe(version);
      return boot.lines;
    };

    // From the os-release line (the migrator starts right after it) to the migrator's line, in
    // the quickest undisturbed boot that ran the migration so far.
    let span = Infinity;
    const measure = (lines: Array<{ text: string; at: number }>) => {
      const at = (text: string) => lines.find(line => line.text.startsWith(text));
      const migrated = at('boot: migrator: ');
      if (migrated?.text.includes(`ran ${PUBLISHED}`)) span = Math.min(span, migrated.at - at('boot: os-release: ')!.at);
    };

    expect(await host.run(['update', '--now'])).toMatchObject({ code: 0 });
    await rebootInto('1.1.0');
    measure(await completeBoot('1.1.0'));

    let killedInMigrator = 0;
    let attempts = 0;
    const outcomes = { old: 0, new: 0 };
    while (killedInMigrator < KILLS_IN_MIGRATOR && attempts < MAX_ATTEMPTS) {
      attempts++;
      const before = await expectComplete();
      expect((await host.run(['rollback'])).code).toBe(0);
      const target = before === '1.0.0' ? '1.1.0' : '1.0.0';
      await rebootInto(target);
      expect(runningVersion()).toBe(target);

      await using boot = spawnBoot(host.root);
      await boot.waitForLine('boot: os-release: ');
      // The crash is injected at a random instant of the migrator step.
      const timer = setTimeout(() => boot.child.kill('SIGKILL'), Math.random() * span);
      await boot.finished;
      clearTimeout(timer);
      const killed = boot.child.signalCode === 'SIGKILL';
      if (killed && !boot.lines.some(line => line.text.startsWith('boot: migrator: '))) killedInMigrator++;
      if (!killed) expect({ code: boot.child.exitCode, output: boot.output() }).toMatchObject({ code: 0 });

      const after = await expectComplete();
      expect([before, target]).toContain(after);
      if (killed) outcomes[after === target ? 'new' : 'old']++;
      // The next boot (same set: the crash was not a reboot) finishes the migration.
      measure(await completeBoot(target));
    }
    expect(killedInMigrator).toBe(KILLS_IN_MIGRATOR);
    console.log(`update-migrations crash test: ${killedInMigrator} kills inside the migrator step in ${attempts} boots (step ${span.toFixed(0)} ms); after a kill current was old ${outcomes.old}, new ${outcomes.new} times`);
  });
});

describe('a boot of the new version that fails after migrating', () => {
  test.concurrent('is never marked successful: the next reboot falls back to 1.0.0, whose boot migrates back (migrations.md 7)', async () => {
    await using host = await publishedSandbox(['[settings.host-containers.dev-tools]', ...Object.entries(DEV_TOOLS).map(([key, value]) => `${key} = ${JSON.stringify(value)}`), ''].join('\n'));
    expect((await host.run(['boot'])).code).toBe(0);
    const original = linkChain(host).directories[0]!;
    const at100 = await liveSettings(host.path(`${BASE}/current`));
    expect((await host.run(['update', '--now'])).code).toBe(0);
    expect((await host.run(['reboot'])).stdout).toBe("Booted set B, version 1.1.0; 'brkt boot' starts it\n");

    // Something else holds the API socket, so the 1.1.0 boot stops at its apiserver step, after the
    // migrator has already moved the datastore.
    const squatter = Bun.listen({ unix: host.path('run/api.sock'), socket: { data() {} } });
    const failed = await host.run(['boot']);
    squatter.stop(true);
    expect(failed).toMatchObject({ code: 1, stderr: `brkt: Boot failed at apiserver: Another server is already listening on ${host.path('run/api.sock')}\n` });
    expect(failed.stdout).toContain(`boot: migrator: forward 1.0.0 -> 1.1.0, ran ${PUBLISHED}\n`);
    expect(failed.stdout).not.toContain('mark-successful-boot');
    const migrated = linkChain(host);
    expect(migrated.links.v1).toBe('v1.1');
    expect(Object.keys(await liveSettings(host.path(`${BASE}/current`))).filter(key => key.includes('toolbox')).length).toBe(Object.keys(DEV_TOOLS).length);

    // Set B spent its only try and is not successful: the bootloader takes set A again.
    expect(await host.run(['reboot'])).toEqual({ code: 0, stdout: "Booted set A, version 1.0.0; 'brkt boot' starts it\n", stderr: '' });
    const boot = await host.run(['boot']);
    expect(boot).toMatchObject({ code: 0, stderr: '' });
    expect(boot.stdout).toContain(`boot: migrator: backward 1.1.0 -> 1.0.0, ran ${PUBLISHED}\n`);
    expect(boot.stdout).toContain('boot: mark-successful-boot: set A marked successful\n');
    expect(await liveSettings(host.path(`${BASE}/current`))).toEqual(at100);
    const { links, directories } = linkChain(host);
    const back = links['v1.0.0']!;
    expect(back).toMatch(DIRECTORY('1.0.0'));
    expect(back).not.toBe(original);
    expect(back).not.toBe(migrated.links['v1.1.0']);
    expect(links).toEqual({ current: 'v1', v1: 'v1.0', 'v1.0': 'v1.0.0', 'v1.0.0': back });
    expect(directories).toEqual([back]);
  });
});
