// The 2020 aws-k8s defaults (services, configuration files, affected-services metadata) as an
// in-memory API state, shared by the applier's tests.
import type { MemoryState } from './source';

export function k8sState(): MemoryState {
  return {
    settings: {
      motd: 'Welcome to Bottlerocket!',
      updates: {
        'metadata-base-url': 'https://updates.bottlerocket.aws/2020-07-07/aws-k8s-1.17/x86_64/',
        'targets-base-url': 'https://updates.bottlerocket.aws/targets/',
        seed: 1487,
        'version-lock': 'latest',
        'ignore-waves': false,
      },
      'host-containers': {
        admin: { enabled: false, superpowered: true, source: '328549459982.dkr.ecr.us-west-2.amazonaws.com/bottlerocket-admin:v0.5.2' },
        control: { enabled: true, superpowered: false, source: '328549459982.dkr.ecr.us-west-2.amazonaws.com/bottlerocket-control:v0.4.1' },
      },
      ntp: { 'time-servers': ['169.254.169.123', '2.amazon.pool.ntp.org'] },
      aws: { region: 'us-west-2' },
      kubernetes: { 'cluster-domain': 'cluster.local' },
    },
    os: { pretty_name: 'Bottlerocket OS 1.0.0 (aws-k8s-1.17)', variant_id: 'aws-k8s-1.17', version_id: '1.0.0', build_id: '6ef1139f', arch: 'x86_64' },
    services: {
      motd: { 'configuration-files': ['motd'], 'restart-commands': [] },
      containerd: { 'configuration-files': ['containerd-config-toml'], 'restart-commands': [] },
      updog: { 'configuration-files': ['updog-toml'], 'restart-commands': [] },
      'host-containers': { 'configuration-files': ['host-containers-toml'], 'restart-commands': ['/usr/bin/host-containers'] },
      ntp: { 'configuration-files': ['chrony-conf'], 'restart-commands': ['/bin/systemctl try-reload-or-restart chronyd.service'] },
      kubernetes: { 'configuration-files': ['kubelet-env', 'kubelet-config', 'kubelet-kubeconfig', 'kubernetes-ca-crt'], 'restart-commands': [] },
    },
    configurationFiles: {
      motd: { path: '/etc/motd', 'template-path': '/usr/share/templates/motd' },
      'containerd-config-toml': { path: '/etc/containerd/config.toml', 'template-path': '/usr/share/templates/containerd-config-toml_aws-k8s' },
      'updog-toml': { path: '/etc/updog.toml', 'template-path': '/usr/share/templates/updog-toml' },
      'host-containers-toml': { path: '/etc/host-containers/host-containers.toml', 'template-path': '/usr/share/templates/host-containers-toml' },
      'chrony-conf': { path: '/etc/chrony.conf', 'template-path': '/usr/share/templates/chrony-conf' },
      'kubelet-env': { path: '/etc/kubernetes/kubelet/env', 'template-path': '/usr/share/templates/kubelet-env' },
      'kubelet-config': { path: '/etc/kubernetes/kubelet/config', 'template-path': '/usr/share/templates/kubelet-config' },
      'kubelet-kubeconfig': { path: '/etc/kubernetes/kubelet/kubeconfig', 'template-path': '/usr/share/templates/kubelet-kubeconfig' },
      'kubernetes-ca-crt': { path: '/etc/kubernetes/pki/ca.crt', 'template-path': '/usr/share/templates/kubernetes-ca-crt' },
    },
    affectedServices: {
      'settings.motd': ['motd'],
      'settings.updates': ['updog'],
      'settings.host-containers': ['host-containers'],
      'settings.ntp': ['ntp'],
      'settings.kubernetes': ['kubernetes'],
      'settings.kubernetes.pod-infra-container-image': ['kubernetes', 'containerd'],
    },
  };
}
