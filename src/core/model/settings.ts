// The settings model as TypeBox schemas: one schema gives the TypeScript types, the validation
// (validate.ts) and the JSON Schema of `brkt settings schema`. Mirrors upstream's models crate of
// 2020 (settings.md section 3) plus the later settings of section 4 that matter most.
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import * as T from './modeled-types';

const strict = { additionalProperties: false } as const;
const opt = <S extends TSchema>(schema: S) => Type.Optional(schema);
/** A map whose keys must pass `key` (a modeled string type); see validate.ts. */
const map = <V extends TSchema>(key: TSchema, value: V, description?: string) =>
  Type.Record(Type.String(), value, { propertyNames: key, description });
/** u32 (settings.md 1): an integer token in 0..4294967295. */
const u32 = (options: { minimum?: number; maximum?: number; description?: string } = {}) =>
  Type.Integer({ minimum: 0, maximum: 4294967295, ...options, 'x-brkt-type': 'u32' });

export const KubernetesSettings = Type.Object({
  'cluster-name': opt(T.KubernetesClusterName),
  'cluster-certificate': opt(T.ValidBase64),
  'api-server': opt(T.Url),
  'node-labels': opt(map(T.KubernetesLabelKey, T.KubernetesLabelValue, 'Kubernetes node labels')),
  'node-taints': opt(map(T.KubernetesLabelKey, T.KubernetesTaintValue, 'Kubernetes node taints, value:Effect')),
  'cluster-domain': opt(T.DNSDomain),
  'max-pods': opt(u32()),
  'cluster-dns-ip': opt(T.Ipv4Addr),
  'node-ip': opt(T.Ipv4Addr),
  'pod-infra-container-image': opt(T.SingleLineString),
  // Later (1.x), kept because common Kubernetes user data sets them.
  'standalone-mode': opt(Type.Boolean()),
  'authentication-mode': opt(Type.String({ enum: ['aws', 'tls'] })),
  'bootstrap-token': opt(T.SingleLineString),
}, { ...strict, title: 'KubernetesSettings' });

export const EcsSettings = Type.Object({
  cluster: opt(Type.String()),
  'instance-attributes': opt(map(T.ECSAttributeKey, T.ECSAttributeValue, 'ECS container instance attributes')),
  'allow-privileged-containers': opt(Type.Boolean()),
  'logging-drivers': opt(Type.Array(T.SingleLineString)),
  loglevel: opt(T.ECSAgentLogLevel),
}, { ...strict, title: 'ECSSettings' });

export const UpdatesSettings = Type.Object({
  'metadata-base-url': opt(T.Url),
  'targets-base-url': opt(T.Url),
  // Upstream's type is u32, but updog's waves only define seeds 0..2047 (MAX_SEED 2048) and bork
  // generates that range; a larger seed would silently land in the last wave, so it is refused.
  seed: opt(u32({ maximum: 2047, description: 'Position in update waves, 0..2047' })),
  'version-lock': opt(T.FriendlyVersion),
  'ignore-waves': opt(Type.Boolean()),
  // brkt: the fleet-wide andon cord. Absent means false; rendered into updog.toml only when true.
  paused: opt(Type.Boolean({ default: false, description: 'Stop staging and activating updates (checks still report); default false' })),
}, { ...strict, title: 'UpdatesSettings' });

export const HostContainer = Type.Object({
  source: opt(T.Url),
  enabled: opt(Type.Boolean()),
  superpowered: opt(Type.Boolean()),
  'user-data': opt(T.ValidBase64),
  // Later upstream (SM v0.14.0): the container's command, replacing its image's.
  command: opt(Type.Array(Type.String())),
}, { ...strict, title: 'ContainerImage' });

export const NtpSettings = Type.Object({
  'time-servers': opt(Type.Array(T.Url)),
  options: opt(Type.Array(T.SingleLineString)),
}, { ...strict, title: 'NtpSettings' });

export const AwsSettings = Type.Object({
  region: opt(T.SingleLineString),
  config: opt(T.ValidBase64),
  credentials: opt(T.ValidBase64),
  profile: opt(T.SingleLineString),
}, { ...strict, title: 'AwsSettings' });

export const NetworkSettings = Type.Object({
  hostname: opt(T.EtcHostname),
  'https-proxy': opt(T.Url),
  'no-proxy': opt(Type.Array(T.SingleLineString)),
}, { ...strict, title: 'NetworkSettings' });

export const KernelModule = Type.Object({
  allowed: opt(Type.Boolean({ description: 'false: the module may not be loaded (blacklisted and its install replaced)' })),
  autoload: opt(Type.Boolean({ description: 'Load the module at boot' })),
}, { ...strict, title: 'KmodSetting' });

export const HugepagesSettings = Type.Object({
  static: opt(Type.Record(Type.String(), Type.Unknown(), { 'x-brkt-type': 'StaticHugepages', description: 'essential: bool, and "<size>": {count} per page size' })),
  transparent: opt(Type.Object({
    enabled: opt(Type.String({ enum: ['never', 'madvise', 'always'] })),
    defrag: opt(Type.String({ enum: ['never', 'madvise', 'defer', 'defer+madvise', 'always'] })),
  }, { ...strict, title: 'TransparentHugepages' })),
}, { ...strict, title: 'HugepagesSettings' });

export const KernelSettings = Type.Object({
  lockdown: opt(T.Lockdown),
  sysctl: opt(map(T.SysctlKey, T.SysctlValue)),
  modules: opt(map(T.KmodKey, KernelModule, 'Kernel modules by name')),
  hugepages: opt(HugepagesSettings),
}, { ...strict, title: 'KernelSettings' });

export const DnsSettings = Type.Object({
  'name-servers': opt(Type.Array(T.IpAddr)),
  'search-list': opt(Type.Array(T.EtcHostname)),
}, { ...strict, title: 'DnsSettings' });

export const BootstrapContainer = Type.Object({
  source: opt(T.Url),
  mode: opt(T.BootstrapContainerMode),
  'user-data': opt(T.ValidBase64),
  essential: opt(Type.Boolean()),
  command: opt(Type.Array(Type.String())),
}, { ...strict, title: 'BootstrapContainer' });

/** settings-now.md 7: apiclient commands run at boot after the settings are applied. */
export const BootstrapCommand = Type.Object({
  commands: opt(Type.Array(Type.Array(Type.String(), { 'x-brkt-type': 'ApiclientCommand' }), { description: 'Commands in order, each apiclient and its arguments' })),
  mode: opt(T.BootstrapContainerMode),
  essential: opt(Type.Boolean({ description: 'A failure stops the boot' })),
}, { ...strict, title: 'BootstrapCommand' });

export const PemCertificate = Type.Object({
  data: opt(T.PemCertificateString),
  trusted: opt(Type.Boolean()),
}, { ...strict, title: 'PemCertificate' });

const bootParameters = () => map(T.BootConfigKey, Type.Array(T.BootConfigValue));
export const BootSettings = Type.Object({
  'reboot-to-reconcile': opt(Type.Boolean()),
  'kernel-parameters': opt(bootParameters()),
  'init-parameters': opt(bootParameters()),
}, { ...strict, title: 'BootSettings', 'x-brkt-aliases': { kernel: 'kernel-parameters', init: 'init-parameters' } });

const rlimitValue = Type.Unsafe<number>({ 'x-brkt-type': 'RlimitValue', description: 'An integer in -1..2^63-1, or "unlimited" (-1)' });
export const OciDefaultsSettings = Type.Object({
  capabilities: opt(map(T.OciCapability, Type.Boolean(), 'Capabilities of workload containers by kebab-case name')),
  'resource-limits': opt(map(T.OciRlimitType, Type.Object({ 'hard-limit': opt(rlimitValue), 'soft-limit': opt(rlimitValue) }, { ...strict, title: 'OciDefaultsResourceLimit' }))),
}, { ...strict, title: 'OciDefaults' });

export const ContainerRegistrySettings = Type.Object({
  mirrors: opt(Type.Array(Type.Object({ registry: opt(T.SingleLineString), endpoint: opt(Type.Array(T.Url)) }, strict))),
  credentials: opt(Type.Array(Type.Object({
    registry: opt(T.SingleLineString),
    username: opt(T.SingleLineString),
    password: opt(T.SingleLineString),
    auth: opt(T.ValidBase64),
    identitytoken: opt(T.SingleLineString),
  }, strict))),
}, { ...strict, title: 'RegistrySettings', 'x-brkt-aliases': { creds: 'credentials' } });

export const MetricsSettings = Type.Object({
  'metrics-url': opt(T.Url),
  'send-metrics': opt(Type.Boolean()),
  'service-checks': opt(Type.Array(T.SingleLineString)),
}, { ...strict, title: 'MetricsSettings' });

export const CloudFormationSettings = Type.Object({
  'should-signal': opt(Type.Boolean()),
  'stack-name': opt(T.SingleLineString),
  'logical-resource-id': opt(T.SingleLineString),
}, { ...strict, title: 'CloudFormationSettings' });

// brkt: checks a newly booted partition set must pass before it is marked successful.
export const BootHealthCheck = Type.Object({
  command: opt(Type.Array(Type.String(), { minItems: 1, description: 'Program and arguments, run without a shell as root; the check passes when it exits 0' })),
  'timeout-seconds': opt(Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: 'A check still running after this many seconds has failed; 1..3600, default 60' })),
}, { ...strict, title: 'BootHealthCheck' });

export const BootHealthSettings = Type.Object({
  checks: opt(map(T.Identifier, BootHealthCheck, 'Checks by name, run in parallel on the first boot of a set not yet marked successful')),
  'window-seconds': opt(Type.Integer({ minimum: 1, maximum: 3600, default: 300, description: 'Deadline for all checks together, in seconds; 1..3600, default 300' })),
}, { ...strict, title: 'BootHealthSettings' });

/** Every section brkt knows, by name; variants pick theirs in order. */
export const SECTIONS = {
  motd: Type.String({ description: 'Message of the day, written to /etc/motd' }),
  kubernetes: KubernetesSettings,
  ecs: EcsSettings,
  updates: UpdatesSettings,
  'host-containers': map(T.Identifier, HostContainer, 'Host containers by name'),
  ntp: NtpSettings,
  aws: AwsSettings,
  // Later settings (settings.md 4), offered by every variant.
  network: NetworkSettings,
  kernel: KernelSettings,
  dns: DnsSettings,
  'bootstrap-containers': map(T.Identifier, BootstrapContainer, 'Bootstrap containers by name'),
  pki: map(T.Identifier, PemCertificate, 'Certificate bundles by name'),
  'container-registry': ContainerRegistrySettings,
  metrics: MetricsSettings,
  cloudformation: CloudFormationSettings,
  autoscaling: Type.Object({ 'should-wait': opt(Type.Boolean()) }, { ...strict, title: 'AutoScalingSettings' }),
  'oci-hooks': Type.Object({ 'log4j-hotpatch-enabled': opt(Type.Boolean()) }, { ...strict, title: 'OciHooks' }),
  'boot-health': BootHealthSettings,
  // Current upstream (settings-now.md 5).
  'bootstrap-commands': map(T.Identifier, BootstrapCommand, 'apiclient commands run at boot, by name'),
  boot: BootSettings,
  'oci-defaults': OciDefaultsSettings,
} as const;

export type SectionName = keyof typeof SECTIONS;

const LATER: SectionName[] = ['network', 'kernel', 'dns', 'bootstrap-containers', 'pki', 'container-registry', 'metrics', 'cloudformation', 'autoscaling', 'oci-hooks', 'boot-health',
  'bootstrap-commands', 'boot', 'oci-defaults'];
const K8S: SectionName[] = ['motd', 'kubernetes', 'updates', 'host-containers', 'ntp', 'aws', ...LATER];

/** Sections per 2020 variant, in upstream's serialization order (settings.md 1). */
export const VARIANT_SECTIONS: Record<string, SectionName[]> = {
  'aws-k8s-1.15': K8S,
  'aws-k8s-1.16': K8S,
  'aws-k8s-1.17': K8S,
  'aws-ecs-1': ['motd', 'updates', 'host-containers', 'ntp', 'aws', 'ecs', ...LATER],
  'aws-dev': ['motd', 'updates', 'host-containers', 'ntp', 'aws', ...LATER],
  // Current variants (settings-now.md 5.1).
  'aws-k8s-1.31': K8S,
  'aws-ecs-2': ['motd', 'updates', 'host-containers', 'ntp', 'aws', 'ecs', ...LATER],
};

export const KNOWN_VARIANTS = Object.keys(VARIANT_SECTIONS);

/**
 * The Settings schema of a variant. An unknown variant (an os-release brkt did not ship) gets
 * every section: refusing all settings would make such a host unmanageable.
 */
export function settingsSchema(variant: string | undefined): TObject {
  const names = (variant && VARIANT_SECTIONS[variant]) || (Object.keys(SECTIONS) as SectionName[]);
  const properties = Object.fromEntries(names.map(name => [name, Type.Optional(SECTIONS[name])]));
  return Type.Object(properties, { ...strict, title: 'Settings', $id: 'Settings', description: `Settings of variant ${variant ?? 'any'}` });
}

/** The whole model's type (all sections), for code that reads settings. */
const AllSettings = Type.Partial(Type.Object(SECTIONS));
export type Settings = Static<typeof AllSettings>;

/** Services and configuration files (api.md section 4), written only from defaults. */
export const Service = Type.Object({
  'configuration-files': Type.Array(Type.String()),
  'restart-commands': Type.Array(Type.String()),
}, { ...strict, title: 'Service' });
export const Services = Type.Record(Type.String(), Service, { title: 'Services' });
export const ConfigurationFile = Type.Object({
  path: Type.String(),
  'template-path': Type.String(),
  mode: Type.Optional(Type.String({ pattern: '^0?[0-7]{3,4}$' })),
  // settings-now.md 4: false leaves a file that already exists alone.
  'overwrite-path-if-present': Type.Optional(Type.Boolean()),
}, { ...strict, title: 'ConfigurationFile' });
export const ConfigurationFiles = Type.Record(Type.String(), ConfigurationFile, { title: 'ConfigurationFiles' });
export type Services = Static<typeof Services>;
export type ConfigurationFiles = Static<typeof ConfigurationFiles>;
