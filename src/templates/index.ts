// The configuration templates shipped inside the binary, by upstream template name (the last
// part of a configuration file's `template-path`, e.g. `/usr/share/templates/motd`).
import chronyConf from './chrony-conf.hbs' with { type: 'text' };
import containerdAwsDev from './containerd-config-toml_aws-dev.hbs' with { type: 'text' };
import containerdAwsEcs1 from './containerd-config-toml_aws-ecs-1.hbs' with { type: 'text' };
import containerdAwsK8s from './containerd-config-toml_aws-k8s.hbs' with { type: 'text' };
import ecsConfig from './ecs.config.hbs' with { type: 'text' };
import hostContainersToml from './host-containers-toml.hbs' with { type: 'text' };
import kubeletConfig from './kubelet-config.hbs' with { type: 'text' };
import kubeletEnv from './kubelet-env.hbs' with { type: 'text' };
import kubeletKubeconfig from './kubelet-kubeconfig.hbs' with { type: 'text' };
import kubernetesCaCrt from './kubernetes-ca-crt.hbs' with { type: 'text' };
import motd from './motd.hbs' with { type: 'text' };
import updogToml from './updog-toml.hbs' with { type: 'text' };
// Current upstream's host files (settings-now.md 5.2).
import sysctlConf from './sysctl-conf.hbs' with { type: 'text' };
import modprobeConf from './modprobe-conf.hbs' with { type: 'text' };
import modulesLoadConf from './modules-load-conf.hbs' with { type: 'text' };
import resolvConf from './resolv-conf.hbs' with { type: 'text' };
import caBundleCrt from './ca-bundle-crt.hbs' with { type: 'text' };
import criBaseJson from './cri-base-json.hbs' with { type: 'text' };
import bootconfigData from './bootconfig-data.hbs' with { type: 'text' };
import bootstrapCommandsToml from './bootstrap-commands-toml.hbs' with { type: 'text' };

export const EMBEDDED_TEMPLATES: ReadonlyMap<string, string> = new Map([
  ['motd', motd],
  ['updog-toml', updogToml],
  ['chrony-conf', chronyConf],
  ['kubelet-env', kubeletEnv],
  ['kubelet-config', kubeletConfig],
  ['kubelet-kubeconfig', kubeletKubeconfig],
  ['kubernetes-ca-crt', kubernetesCaCrt],
  ['ecs.config', ecsConfig],
  ['containerd-config-toml_aws-k8s', containerdAwsK8s],
  ['containerd-config-toml_aws-ecs-1', containerdAwsEcs1],
  ['containerd-config-toml_aws-dev', containerdAwsDev],
  ['host-containers-toml', hostContainersToml],
  ['sysctl-conf', sysctlConf],
  ['modprobe-conf', modprobeConf],
  ['modules-load-conf', modulesLoadConf],
  ['resolv-conf', resolvConf],
  ['ca-bundle-crt', caBundleCrt],
  ['cri-base-json', criBaseJson],
  ['bootconfig-data', bootconfigData],
  ['bootstrap-commands-toml', bootstrapCommandsToml],
]);

/** Where upstream installs its templates; an embedded template answers for a missing file there. */
export const TEMPLATE_DIR = '/usr/share/templates/';
