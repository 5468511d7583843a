// Every shipped variant's sandbox is a working host out of the box: `brkt dev init --variant V`
// then `brkt boot` skips nothing, `settings set` applies, and every configuration file the
// variant declares is rendered and parses with a real parser for its format.
import { describe, expect, test } from 'bun:test';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeTempDir } from '../helpers/sandbox';
import { SHIPPED_VARIANTS } from '../../src/core/model/defaults';
import { readBootconfig, readPem, readSysctl, readWords } from '../helpers/config-formats';

/** A line of an environment file (systemd EnvironmentFile, ecs.config): NAME=value, no shell syntax. */
const ENV_LINE = /^[A-Z_][A-Z0-9_]*=("[^"\\$`]*"|[^\s"'\\$`]*)$/;

/** The chrony.conf directives the shipped template writes, with their arguments. */
const CHRONY_LINE = /^(?:(?:pool|server) [\w.:-]+(?: (?:iburst|prefer|minpoll \d+|maxpoll \d+))*|driftfile \/\S+|makestep \d+(?:\.\d+)? -?\d+|dumponexit|dumpdir \/\S+|user [a-z_][\w-]*|rtcsync|logdir \/\S+)$/;

function checkLines(text: string, line: RegExp, what: string) {
  expect(text.endsWith('\n')).toBe(true);
  for (const [index, content] of text.slice(0, -1).split('\n').entries()) {
    if (content === '' || content.startsWith('#')) continue;
    if (!line.test(content)) throw new Error(`${what} line ${index + 1} is not valid: ${JSON.stringify(content)}`);
  }
}

/** Parses a rendered configuration file by its name; a file with no parser here fails the test. */
const PARSERS: Record<string, (text: string, motd: string) => void> = {
  motd: (text, motd) => expect(text).toBe(`${motd}\n`),
  'updog-toml': text => expect(parseToml(text)).toMatchObject({ metadata_base_url: expect.any(String), targets_base_url: expect.any(String), seed: expect.any(Number) }),
  'containerd-config-toml': text => expect(parseToml(text)).toMatchObject({ version: 2 }),
  'chrony-conf': text => checkLines(text, CHRONY_LINE, 'chrony.conf'),
  'ecs-config': text => checkLines(text, ENV_LINE, 'ecs.config'),
  'kubelet-env': text => {
    checkLines(text, ENV_LINE, 'kubelet env');
    expect(text).toMatch(/^NODE_IP=10\.0\.1\.23$/m);
  },
  'kubelet-config': text => {
    const config = parseYaml(text, { strict: true, uniqueKeys: true, prettyErrors: false });
    expect(config).toMatchObject({ kind: 'KubeletConfiguration', clusterDNS: ['172.20.0.10'], maxPods: 29 });
  },
  'kubelet-kubeconfig': text => {
    const config = parseYaml(text, { strict: true, uniqueKeys: true, prettyErrors: false });
    expect(config).toMatchObject({ kind: 'Config', clusters: [{ cluster: { server: expect.stringMatching(/^https:\/\//) } }] });
  },
  'kubernetes-ca-crt': text => expect(new X509Certificate(text).ca).toBe(true),
  // Current upstream's host files: empty until their settings are given, then well-formed.
  // Empty, or the reserved EKS add-on ports of the current Kubernetes variant's defaults.
  'sysctl-conf': text => expect(readSysctl(text).filter(([key]) => key !== 'net/ipv4/ip_local_reserved_ports')).toEqual([]),
  'modprobe-conf': text => expect(readWords(text)).toEqual([]),
  'modules-load-conf': text => expect(readWords(text)).toEqual([]),
  'resolv-conf': text => expect(readWords(text)).toEqual([]),
  'ca-bundle-crt': text => {
    expect(readPem(text)).toHaveLength(1);
    expect(new X509Certificate(text.slice(text.indexOf('-----BEGIN'))).ca).toBe(true);
  },
  'cri-base-json': text => expect(JSON.parse(text)).toMatchObject({ ociVersion: expect.any(String), process: { capabilities: { effective: expect.arrayContaining(['CAP_CHOWN']) } } }),
  'bootconfig-data': text => expect(readBootconfig(text)).toEqual([]),
  'bootstrap-commands-toml': text => expect(parseToml(text)).toEqual({}),
};

describe.each(SHIPPED_VARIANTS.map(variant => [variant]))('a fresh %s sandbox', variant => {
  test.concurrent('boots with nothing skipped, applies settings set, renders every file so it parses', async () => {
    await using dir = makeTempDir();
    const root = join(dir.root, 'sandbox');
    expect(await brkt('brkt', ['dev', 'init', '--variant', variant, root])).toEqual({ stdout: `Created sandbox ${root} (variant ${variant})\n`, stderr: '', code: 0 });
    await using served = spawnBoot(root, ['--serve']);
    await served.waitForLine('boot: serving the API on');
    const output = served.output();
    expect(output).not.toMatch(/skip/i);
    expect(output).not.toContain('no identity document');
    expect(output).toContain(`boot: early-boot-config: staged user data from ${root}/var/lib/bottlerocket/user-data.toml, ${root}/var/lib/brkt/imds/latest/dynamic/instance-identity/document`);

    const files = JSON.parse((await brkt('brkt', ['api', '-u', '/configuration-files'], { root })).stdout) as Record<string, { path: string }>;
    expect(output).toContain(`wrote ${Object.keys(files).length} files`);
    // Every generated setting has its value: nothing left for a template to miss.
    const generators = JSON.parse((await brkt('brkt', ['api', '-u', '/metadata/setting-generators'], { root })).stdout) as Record<string, string>;
    const live = JSON.parse((await brkt('brkt', ['settings', 'get', '--json'], { root })).stdout);
    for (const key of Object.keys(generators)) {
      const value = key.split('.').slice(1).reduce<any>((node, segment) => node?.[segment], live);
      if (value === undefined) throw new Error(`${key} has no value after boot`);
    }

    const motd = `hello from ${variant}`;
    expect(await brkt('brkt', ['settings', 'set', `motd=${motd}`], { root })).toEqual({ stdout: '', stderr: '', code: 0 });
    for (const [name, { path }] of Object.entries(files)) {
      const parse = PARSERS[name];
      if (!parse) throw new Error(`No parser for the configuration file ${name} (${path}) of ${variant}`);
      parse(readFileSync(join(root, path), 'utf8'), motd);
    }
  });
});

test('a commit whose apply fails says both in one line, exit 1, and --json-result carries both', async () => {
  await using dir = makeTempDir();
  const root = join(dir.root, 'sandbox');
  expect((await brkt('brkt', ['dev', 'init', '--variant', 'aws-k8s-1.17', root])).code).toBe(0);
  // Without instance metadata pluto cannot fill the kubelet's values, so its files cannot render.
  rmSync(join(root, 'var/lib/brkt/imds'), { recursive: true });
  await using served = spawnBoot(root, ['--serve']);
  await served.waitForLine('boot: serving the API on');

  const failed = await brkt('brkt', ['settings', 'set', 'kubernetes.node-labels.app=web'], { root });
  expect(failed.stdout).toBe('');
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/^brkt: committed 1 key \(brkt-set-\w+\); applying failed for kubelet-config \(\/etc\/kubernetes\/kubelet\/config\): Failed to render template .*cluster-dns-ip.*\n$/);
  expect((await brkt('brkt', ['settings', 'get', 'kubernetes.node-labels'], { root })).stdout).toBe('kubernetes.node-labels.app=web\n');

  const json = await brkt('brkt', ['settings', 'set', 'kubernetes.node-labels.app=api', '--json-result'], { root });
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toEqual({
    transaction: expect.stringMatching(/^brkt-set-/),
    committed: ['settings.kubernetes.node-labels.app'],
    applied: false,
    error: expect.stringMatching(/^applying failed for kubelet-config \(\/etc\/kubernetes\/kubelet\/config\): Failed to render template /),
  });
  expect(json.stderr).toStartWith('brkt: committed 1 key');

  const applied = await brkt('brkt', ['settings', 'set', 'motd=still applies', '--json-result'], { root });
  expect(applied.code).toBe(0);
  expect(JSON.parse(applied.stdout)).toEqual({ transaction: expect.stringMatching(/^brkt-set-/), committed: ['settings.motd'], applied: true });
  expect(readFileSync(join(root, 'etc/motd'), 'utf8')).toBe('still applies\n');
});

test.concurrent('the README and dev init --help name exactly the shipped variants', async () => {
  const readme = readFileSync(join(import.meta.dir, '../../README.md'), 'utf8');
  const listed = /The variants whose defaults brkt ships are\s+those of 2020 and two current ones with current upstream defaults: (.+?)\. The default/s.exec(readme)?.[1];
  expect(listed?.split(/,\s*/)).toEqual(SHIPPED_VARIANTS);
  const help = await brkt('brkt', ['dev', 'init', '--help']);
  expect(help.code).toBe(0);
  for (const variant of SHIPPED_VARIANTS) expect(help.stdout).toContain(variant);
});
