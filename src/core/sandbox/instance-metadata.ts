// What a sandbox host gets from EC2 at first boot: instance metadata (the identity document and
// the values pluto reads), user data with a sample cluster for the orchestrator variants, and
// the EKS max-pods table a Kubernetes image ships. The sandbox platform serves the files.
import type { Platform } from '../../platform/types';

const REGION = 'us-west-2';
const INSTANCE_TYPE = 'm5.large';
const LOCAL_IPV4 = '10.0.1.23';
const MAC = '0e:5c:a1:7f:10:23';
/** A 10.x VPC: pluto derives the cluster DNS address 172.20.0.10 from it, as on EKS. */
const VPC_CIDR = '10.0.0.0/16';

/** A self-signed CA (EC P-256, valid until 2126) standing in for a cluster's certificate. */
export const SAMPLE_CLUSTER_CA = `-----BEGIN CERTIFICATE-----
MIIBgDCCASegAwIBAgIULvGWo+L0JDPfjVb/bdON6VdDPnYwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKa3ViZXJuZXRlczAgFw0yNjEyMDMwODAxMDFaGA8yMTI2MTEw
OTA4MDEwMVowFTETMBEGA1UEAwwKa3ViZXJuZXRlczBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABPbF0uGEzHnTo+21S59Bp2Z2F3OWxswY1pDwt+ETS0c3wJQ7uYZz
+lfSMUpOgQ/LlA+WBeyHjX6XJQ0ClmRrL6KjUzBRMB0GA1UdDgQWBBQ03bYYraWh
t3vl1GOSKqe0P36fKjAfBgNVHSMEGDAWgBQ03bYYraWht3vl1GOSKqe0P36fKjAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIHLsZp4v5xqUX2sH+LhN
uDoq3oWSdyP/MYMjY11pC5X+AiAy24CTYJJcH3tsfXXaFymdvTdzqr/s7cElaLa+
gDDZNA==
-----END CERTIFICATE-----
`;

/** A few lines of EKS's eni-max-pods table (`<instance type> <max pods>`), as the image ships it. */
const ENI_MAX_PODS = `# Mapping is calculated from AWS EC2 API using the following formula:
# * First IP on each ENI is not used for pods
# * +2 for the pods that use host-networking (AWS CNI and kube-proxy)
#
#   # of ENI * (# of IPv4 per ENI - 1) + 2
#
m5.large 29
m5.xlarge 58
m5.2xlarge 58
m5.4xlarge 234
t3.medium 17
t3.large 35
c5.large 29
`;

const isKubernetes = (variant: string) => variant.startsWith('aws-k8s-');
const isEcs = (variant: string) => variant.startsWith('aws-ecs-');

/** User data naming a sample cluster, for the variants that join one; `undefined` for the others. */
export function sampleClusterUserData(variant: string): string | undefined {
  if (isKubernetes(variant)) {
    return [
      '# A sample cluster, so the kubelet configuration renders; replace it to join a real one.',
      '[settings.kubernetes]',
      'cluster-name = "sandbox-cluster"',
      `api-server = "https://sandbox-cluster.${REGION}.eks.example.com"`,
      `cluster-certificate = "${btoa(SAMPLE_CLUSTER_CA)}"`,
      '',
    ].join('\n');
  }
  if (isEcs(variant)) {
    return ['# A sample cluster for the ECS agent; replace it to join a real one.', '[settings.ecs]', 'cluster = "sandbox-cluster"', ''].join('\n');
  }
  return undefined;
}

/** The IMDS paths (without the leading slash) and bodies of the sandbox's instance. */
export function sandboxInstanceMetadata(variant: string, platform: Platform): Record<string, string> {
  const identity = {
    accountId: '123456789012',
    architecture: platform.arch,
    availabilityZone: `${REGION}a`,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: 'ami-0123456789abcdef0',
    instanceId: 'i-0123456789abcdef0',
    instanceType: INSTANCE_TYPE,
    kernelId: null,
    pendingTime: platform.now().toISOString().replace(/\.\d+Z$/, 'Z'),
    privateIp: LOCAL_IPV4,
    ramdiskId: null,
    region: REGION,
    version: '2017-09-30',
  };
  const files: Record<string, string> = {
    'latest/dynamic/instance-identity/document': JSON.stringify(identity, null, 2),
    'latest/meta-data/instance-id': identity.instanceId,
    'latest/meta-data/instance-type': INSTANCE_TYPE,
    'latest/meta-data/local-ipv4': LOCAL_IPV4,
    'latest/meta-data/local-hostname': `ip-${LOCAL_IPV4.replaceAll('.', '-')}.${REGION}.compute.internal`,
    'latest/meta-data/mac': MAC,
    [`latest/meta-data/network/interfaces/macs/${MAC}/vpc-ipv4-cidr-blocks`]: VPC_CIDR,
    'latest/meta-data/placement/availability-zone': identity.availabilityZone,
    'latest/meta-data/placement/region': REGION,
  };
  const userData = sampleClusterUserData(variant);
  if (userData) files['2021-07-15/user-data'] = userData;
  return files;
}

/** Writes the missing instance-metadata files and, for Kubernetes, the max-pods table; edited files stay. */
export async function writeSandboxInstance(platform: Platform, variant: string): Promise<void> {
  for (const [path, body] of Object.entries(sandboxInstanceMetadata(variant, platform))) {
    const file = `${platform.paths.sandboxImds}/${path}`;
    if (!(await platform.files.exists(file))) await platform.files.writeAtomic(file, body);
  }
  const maxPods = platform.path('usr/share/eks/eni-max-pods');
  if (isKubernetes(variant) && !(await platform.files.exists(maxPods))) await platform.files.writeAtomic(maxPods, ENI_MAX_PODS);
}
