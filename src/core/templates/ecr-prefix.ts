// ECR registry of the host-container images by region, as schnauzer's ecr-prefix helper knew
// them in 2020 (settings.md section 9).

const REGISTRY_BY_REGION: Record<string, string> = {
  'af-south-1': '917644944286',
  'ap-east-1': '375569722642',
  'eu-south-1': '586180183710',
  'me-south-1': '509306038620',
};
const DEFAULT_REGISTRY = '328549459982';
const DEFAULT_REGION = 'us-east-1';
const DEFAULT_REGISTRY_REGIONS = new Set([
  'ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1',
  'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1',
  'us-east-2', 'us-west-1', 'us-west-2',
]);

/** `<registry>.dkr.ecr.<region>.amazonaws.com`; an unknown region falls back to us-east-1's registry. */
export function ecrPrefix(region: string): string {
  const special = REGISTRY_BY_REGION[region];
  if (special) return `${special}.dkr.ecr.${region}.amazonaws.com`;
  if (DEFAULT_REGISTRY_REGIONS.has(region)) return `${DEFAULT_REGISTRY}.dkr.ecr.${region}.amazonaws.com`;
  return `${DEFAULT_REGISTRY}.dkr.ecr.${DEFAULT_REGION}.amazonaws.com`;
}
