// The current variants (aws-k8s-1.31, aws-ecs-2): their defaults carry current upstream's values
// (test/fixtures/upstream/defaults/current), and user data written for a current upstream host
// boots their sandbox cleanly, every locally-acted key reaching its file.
import { describe, expect, test } from 'bun:test';
import { X509Certificate } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeTempDir } from '../helpers/sandbox';
import { readBootconfig, readPem, readSysctl, readWords } from '../helpers/config-formats';
import { mergeDefaults, variantDefaults } from '../../src/core/model/defaults';
import { flatten } from '../../src/core/datastore/pairs';
import { SAMPLE_CLUSTER_CA } from '../../src/core/sandbox/instance-metadata';

const FIXTURES = join(import.meta.dir, '../fixtures/upstream/defaults/current');
const upstream = (names: string[]) => names.map(name => parseToml(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>).reduce((left, right) => mergeDefaults(left, right), {});

/** The upstream files each current variant's defaults follow, and the settings brkt does not model. */
const CURRENT: Record<string, { files: string[]; notModeled: string[] }> = {
  'aws-k8s-1.31': {
    files: ['defaults.toml', 'aws-host-containers.toml', 'aws-tuf.toml', 'kubernetes-aws.toml', 'kubernetes-eks-sysctl.toml', 'oci-defaults-containerd-cri.toml'],
    notModeled: ['settings.kubernetes.server-tls-bootstrap', 'settings.kubernetes.cloud-provider'],
  },
  'aws-ecs-2': {
    files: ['defaults.toml', 'aws-host-containers.toml', 'aws-tuf.toml', 'ecs.toml'],
    notModeled: ['settings.ecs.image-pull-behavior'],
  },
};

describe.each(Object.keys(CURRENT))('%s defaults follow current upstream', variant => {
  test('every default setting upstream gives, with the same value', () => {
    const { files, notModeled } = CURRENT[variant]!;
    const expected = flatten((upstream(files).settings ?? {}) as Record<string, unknown>, ['settings']);
    const ours = new Map(variantDefaults(variant).settings.map(pair => [pair.key.name, pair.text]));
    expect(expected.length).toBeGreaterThan(5);
    for (const pair of expected) {
      if (notModeled.includes(pair.key.name)) continue;
      expect({ key: pair.key.name, value: ours.get(pair.key.name) }).toEqual({ key: pair.key.name, value: pair.text });
    }
  });

  test('the host container images are those upstream generates', () => {
    const metadata = (upstream(CURRENT[variant]!.files).metadata as any).settings['host-containers'];
    const ours = variantDefaults(variant).metadata;
    for (const name of ['admin', 'control']) {
      const image = /bottlerocket-[a-z]+:v[\d.]+/.exec(metadata[name].source['setting-generator'])![0];
      const template = ours.find(entry => entry.key.name === `settings.host-containers.${name}.source` && entry.name === 'template');
      expect(JSON.parse(template!.text)).toBe(`{{ ecr-prefix settings.aws.region }}/${image}`);
    }
  });
});

/** User data as written for a current upstream host: the keys it acts on locally, current forms. */
const CURRENT_USER_DATA = `
[settings.host-containers.admin]
enabled = true
[settings.host-containers.control]
command = ["/usr/bin/control", "--verbose"]

[settings.bootstrap-containers.setup]
source = "public.ecr.aws/example/setup:v1"
mode = "once"
essential = false
command = ["/setup", "--once"]

[settings.bootstrap-commands.10-motd]
commands = [["apiclient", "set", "motd=configured at boot"]]
mode = "once"
essential = true

[settings.kernel.sysctl]
"vm.max_map_count" = "262144"
[settings.kernel.modules.sctp]
allowed = false
[settings.kernel.modules.nvme_tcp]
autoload = true
[settings.kernel.hugepages.transparent]
enabled = "madvise"

[settings.boot]
reboot-to-reconcile = true
[settings.boot.kernel-parameters]
console = ["tty0", "ttyS1,115200n8"]
[settings.boot.init-parameters]
"systemd.log_level" = ["debug"]

[settings.pki.my-ca]
data = "${btoa(SAMPLE_CLUSTER_CA)}"
trusted = true

[settings.dns]
name-servers = ["10.0.0.2", "fd00::2"]
search-list = ["corp.example.com"]

[settings.oci-defaults.capabilities]
chown = true
sys-admin = false
[settings.oci-defaults.resource-limits.max-open-files]
hard-limit = "unlimited"
soft-limit = 65536

[[settings.container-registry.mirrors]]
registry = "docker.io"
endpoint = ["https://mirror.example.com"]
[[settings.container-registry.creds]]
registry = "docker.io"
username = "user"
password = "secret"

[settings.network]
hostname = "node-1.corp.example.com"

[settings.ntp]
time-servers = ["time.example.com"]
options = ["iburst", "minpoll 4"]
`;

describe.each(Object.keys(CURRENT))('a %s sandbox booted with current upstream user data', variant => {
  test.concurrent('boots with nothing skipped and every locally-acted key in its file', async () => {
    await using dir = makeTempDir();
    const root = join(dir.root, 'sandbox');
    expect((await brkt('brkt', ['dev', 'init', '--variant', variant, root])).code).toBe(0);
    appendFileSync(join(root, 'var/lib/bottlerocket/user-data.toml'), CURRENT_USER_DATA);
    await using served = spawnBoot(root, ['--serve']);
    await served.waitForLine('boot: serving the API on');
    const output = served.output();
    expect(output).not.toMatch(/skip|fail/i);
    expect(output).toContain('boot: bootstrap-commands: ran 10-motd');
    const file = (path: string) => readFileSync(join(root, path), 'utf8');

    expect(file('etc/motd')).toBe('configured at boot\n');
    const sysctl = readSysctl(file('etc/sysctl.d/95-corndog.conf'));
    expect(sysctl).toContainEqual(['vm.max_map_count', '262144']);
    if (variant.startsWith('aws-k8s')) expect(sysctl).toContainEqual(['net/ipv4/ip_local_reserved_ports', '2703,9808,9809,10249,10250,10256,61678,61679']);
    expect(readWords(file('etc/modprobe.d/modprobe.conf'))).toEqual([['blacklist', 'sctp'], ['install', 'sctp', '/bin/true']]);
    expect(readWords(file('etc/modules-load.d/modules-load.conf'))).toEqual([['nvme_tcp']]);
    expect(readBootconfig(file('var/lib/bottlerocket/bootconfig.data'))).toEqual([['kernel.console', ['tty0', 'ttyS1,115200n8']], ['init.systemd.log_level', ['debug']]]);
    expect(readWords(file('etc/resolv.conf'))).toEqual([['nameserver', '10.0.0.2'], ['nameserver', 'fd00::2'], ['search', 'corp.example.com']]);
    const bundle = file('etc/pki/tls/certs/ca-bundle.crt');
    expect(readPem(bundle)).toHaveLength(2); // the factory bundle's and the trusted one
    expect(new X509Certificate(bundle.slice(bundle.lastIndexOf('-----BEGIN'))).subject).toBe('CN=kubernetes');
    const spec = JSON.parse(file('etc/containerd/cri-base.json'));
    expect(spec.process.capabilities.effective).toEqual(['CAP_CHOWN']);
    expect(spec.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', hard: 18446744073709552000, soft: 65536 }]);
    expect(file('etc/containerd/cri-base.json')).toContain('"hard":18446744073709551615');

    const settings = JSON.parse((await brkt('brkt', ['settings', 'get', '--json'], { root })).stdout);
    expect(settings['bootstrap-commands']['10-motd'].mode).toBe('off');
    expect(settings['container-registry'].credentials).toEqual([{ registry: 'docker.io', username: 'user', password: 'secret' }]);
    expect(settings['oci-defaults']['resource-limits']['max-open-files']).toEqual({ 'hard-limit': -1, 'soft-limit': 65536 });
    expect(settings.network.hostname).toBe('node-1.corp.example.com');

    // A later change re-renders its file through the affected-services metadata.
    expect((await brkt('brkt', ['settings', 'set', 'kernel.sysctl."vm.swappiness"=10'], { root })).code).toBe(0);
    expect(readSysctl(file('etc/sysctl.d/95-corndog.conf'))).toContainEqual(['vm.swappiness', '10']);
    const restarts = file('var/log/brkt/restarts.log').trim().split('\n').map(line => JSON.parse(line));
    expect(restarts.at(-1)).toMatchObject({ service: 'sysctl', command: ['/usr/lib/systemd/systemd-sysctl', '/etc/sysctl.d/95-corndog.conf'] });
  });
});
