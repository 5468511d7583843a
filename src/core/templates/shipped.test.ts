// Every shipped template, rendered with the 2020 variant defaults and with edge values.
import { describe, expect, test } from 'bun:test';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { EMBEDDED_TEMPLATES } from '../../templates';
import { renderTemplate } from './render';

const OS = { pretty_name: 'Bottlerocket OS 1.0.0 (aws-k8s-1.17)', variant_id: 'aws-k8s-1.17', version_id: '1.0.0', build_id: '6ef1139f', arch: 'x86_64' };

/** settings of defaults.toml (v1.0.0) plus what the generators add on a k8s host in us-west-2. */
function k8sSettings(): Record<string, any> {
  return {
    motd: 'Welcome to Bottlerocket!',
    updates: {
      'metadata-base-url': renderTemplate('https://updates.bottlerocket.aws/2020-07-07/{{ os.variant_id }}/{{ os.arch }}/', { os: OS }),
      'targets-base-url': 'https://updates.bottlerocket.aws/targets/',
      seed: 1487,
      'version-lock': 'latest',
      'ignore-waves': false,
    },
    'host-containers': {
      admin: { enabled: false, superpowered: true, source: renderTemplate('{{ ecr-prefix settings.aws.region }}/bottlerocket-admin:v0.5.2', { settings: { aws: { region: 'us-west-2' } } }) },
      control: { enabled: true, superpowered: false, source: '328549459982.dkr.ecr.us-west-2.amazonaws.com/bottlerocket-control:v0.4.1' },
    },
    ntp: { 'time-servers': ['169.254.169.123', '2.amazon.pool.ntp.org'] },
    aws: { region: 'us-west-2' },
    kubernetes: {
      'cluster-domain': 'cluster.local',
      'cluster-dns-ip': '10.100.0.10',
      'node-ip': '192.168.1.5',
      'pod-infra-container-image': '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause-amd64:3.1',
    },
  };
}

function render(name: string, settings: Record<string, unknown>): string {
  const text = EMBEDDED_TEMPLATES.get(name);
  if (text === undefined) throw new Error(`no template ${name}`);
  return renderTemplate(text, { settings, os: OS, services: {}, 'configuration-files': {} }, name);
}

describe('motd', () => {
  test('defaults', () => expect(render('motd', k8sSettings())).toBe('Welcome to Bottlerocket!\n'));
  test('multi-line and HTML characters (escaped, as upstream)', () =>
    expect(render('motd', { motd: 'line 1\nline 2 & <3' })).toBe('line 1\nline 2 &amp; &lt;3\n'));
  test('empty', () => expect(render('motd', { motd: '' })).toBe('\n'));
  test('missing motd is a render error', () => expect(() => render('motd', {})).toThrow('Missing value for'));
});

describe('updog-toml (updates.md 5.6)', () => {
  test('defaults give the updater a complete config', () => {
    expect(parseToml(render('updog-toml', k8sSettings()))).toEqual({
      metadata_base_url: 'https://updates.bottlerocket.aws/2020-07-07/aws-k8s-1.17/x86_64/',
      targets_base_url: 'https://updates.bottlerocket.aws/targets/',
      seed: 1487,
      version_lock: 'latest',
      ignore_waves: false,
    });
  });
  test('exact text', () => {
    const settings = k8sSettings();
    settings.updates = { ...settings.updates, seed: 0, 'version-lock': 'v1.0.5', 'ignore-waves': true };
    expect(render('updog-toml', settings)).toBe([
      'metadata_base_url = "https://updates.bottlerocket.aws/2020-07-07/aws-k8s-1.17/x86_64/"',
      'targets_base_url = "https://updates.bottlerocket.aws/targets/"',
      'seed = 0', 'version_lock = "v1.0.5"', 'ignore_waves = true', '',
    ].join('\n'));
  });
  test('largest seed', () => {
    const settings = k8sSettings();
    settings.updates.seed = 2047;
    expect(parseToml(render('updog-toml', settings)).seed).toBe(2047);
  });
  test('proxy settings appear only when set', () => {
    const settings = { ...k8sSettings(), network: { 'https-proxy': 'http://proxy.example:3128', 'no-proxy': ['localhost', '169.254.169.254'] } };
    const parsed = parseToml(render('updog-toml', settings));
    expect(parsed.https_proxy).toBe('http://proxy.example:3128');
    expect(parsed.no_proxy).toEqual(['localhost', '169.254.169.254']);
  });
  test('a missing seed is a render error (the generator must have run)', () => {
    const settings = k8sSettings();
    delete settings.updates.seed;
    expect(() => render('updog-toml', settings)).toThrow("Missing value for 'settings.updates.seed'");
  });
});

describe('chrony-conf', () => {
  const fixed = 'driftfile /var/lib/chrony/drift\nmakestep 1.0 3\ndumponexit\ndumpdir /var/lib/chrony\nuser chrony\n';
  test('defaults: one pool line per server', () =>
    expect(render('chrony-conf', k8sSettings())).toBe(`pool 169.254.169.123 iburst\npool 2.amazon.pool.ntp.org iburst\n${fixed}`));
  test('no servers', () => expect(render('chrony-conf', { ntp: { 'time-servers': [] } })).toBe(fixed));
  test('no ntp section is a render error', () => expect(() => render('chrony-conf', {})).toThrow(BrktErrorText));
});
const BrktErrorText = /^Failed to render template chrony-conf: /;

describe('kubelet-env', () => {
  test('defaults: no labels or taints', () =>
    expect(render('kubelet-env', k8sSettings())).toBe(
      'NODE_IP=192.168.1.5\nNODE_LABELS=\nNODE_TAINTS=\nPOD_INFRA_CONTAINER_IMAGE="602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause-amd64:3.1"\n'));
  test('labels and taints, sorted', () => {
    const settings = k8sSettings();
    settings.kubernetes['node-labels'] = { 'example.com/role': 'web', 'a.b/c': '' };
    settings.kubernetes['node-taints'] = { dedicated: 'experimental:NoSchedule', special: ':PreferNoSchedule' };
    const env = render('kubelet-env', settings);
    expect(env).toContain('NODE_LABELS=a.b/c=,example.com/role=web\n');
    expect(env).toContain('NODE_TAINTS=dedicated=experimental:NoSchedule,special=:PreferNoSchedule\n');
  });
});

describe('kubelet-config', () => {
  test('defaults: maxPods falls back to 110', () => {
    const config = parseYaml(render('kubelet-config', k8sSettings()));
    expect(config.kind).toBe('KubeletConfiguration');
    expect(config.clusterDomain).toBe('cluster.local');
    expect(config.clusterDNS).toEqual(['10.100.0.10']);
    expect(config.maxPods).toBe(110);
  });
  test('generated max-pods and another domain', () => {
    const settings = k8sSettings();
    settings.kubernetes['max-pods'] = 29;
    settings.kubernetes['cluster-domain'] = 'dev.eks';
    const config = parseYaml(render('kubelet-config', settings));
    expect(config.maxPods).toBe(29);
    expect(config.clusterDomain).toBe('dev.eks');
  });
});

describe('kubelet-kubeconfig and kubernetes-ca-crt', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  const settings = () => {
    const value = k8sSettings();
    value.kubernetes['api-server'] = 'https://ABC.gr7.us-west-2.eks.amazonaws.com';
    value.kubernetes['cluster-name'] = 'prod-1';
    value.kubernetes['cluster-certificate'] = Buffer.from(pem).toString('base64');
    return value;
  };
  test('kubeconfig names the server and the cluster', () => {
    const config = parseYaml(render('kubelet-kubeconfig', settings()));
    expect(config.clusters[0].cluster.server).toBe('https://ABC.gr7.us-west-2.eks.amazonaws.com');
    expect(config.users[0].user.exec.args).toEqual(['token', '-i', 'prod-1']);
  });
  test('the CA certificate is decoded', () => expect(render('kubernetes-ca-crt', settings())).toBe(`${pem}\n`));
  test('without cluster settings both fail (no half-configured kubelet)', () => {
    expect(() => render('kubelet-kubeconfig', k8sSettings())).toThrow('Missing value');
    expect(() => render('kubernetes-ca-crt', k8sSettings())).toThrow("Helper 'base64_decode' needs a string");
  });
});

describe('ecs.config', () => {
  test('defaults', () => expect(render('ecs.config', { ecs: { loglevel: 'info' } })).toBe('ECS_LOGFILE=/var/log/ecs/ecs-agent.log\nECS_LOGLEVEL="info"\n'));
  test('debug', () => expect(render('ecs.config', { ecs: { loglevel: 'debug', cluster: 'c' } })).toContain('ECS_LOGLEVEL="debug"'));
});

describe('containerd-config-toml', () => {
  test('k8s: the CRI sandbox image is the pod infra image', () => {
    const config = parseToml(render('containerd-config-toml_aws-k8s', k8sSettings())) as any;
    expect(config.plugins['io.containerd.grpc.v1.cri'].sandbox_image).toBe('602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause-amd64:3.1');
  });
  test.each(['containerd-config-toml_aws-ecs-1', 'containerd-config-toml_aws-dev'])('%s uses no settings and disables CRI', name => {
    const config = parseToml(render(name, {})) as any;
    expect(config.version).toBe(2);
    expect(config.disabled_plugins).toContain('io.containerd.grpc.v1.cri');
  });
});

describe('host-containers-toml', () => {
  test('defaults', () => {
    expect(parseToml(render('host-containers-toml', k8sSettings()))).toEqual({
      'host-containers': {
        admin: { source: '328549459982.dkr.ecr.us-west-2.amazonaws.com/bottlerocket-admin:v0.5.2', enabled: false, superpowered: true },
        control: { source: '328549459982.dkr.ecr.us-west-2.amazonaws.com/bottlerocket-control:v0.4.1', enabled: true, superpowered: false },
      },
    });
  });
  test('partial entries and user data', () => {
    const settings = { 'host-containers': { mine: { source: 'example.com/a"b\\c', 'user-data': 'Zm9vCg==' }, bare: { enabled: true } } };
    expect(parseToml(render('host-containers-toml', settings))).toEqual({
      'host-containers': { mine: { source: 'example.com/a"b\\c', 'user-data': 'Zm9vCg==' }, bare: { enabled: true } },
    });
  });
  test('a source cannot inject TOML', () => {
    const settings = { 'host-containers': { x: { source: 'a"\nenabled = true\n[evil]\nb = "', enabled: false } } };
    const parsed = parseToml(render('host-containers-toml', settings)) as any;
    expect(Object.keys(parsed)).toEqual(['host-containers']);
    expect(parsed['host-containers'].x.enabled).toBe(false);
  });
  test('no host containers: an empty file', () => expect(render('host-containers-toml', {}).trim()).toBe(''));
});
