// Which instance-metadata service a host has: the base URL is configurable for tests and
// sandboxes; the client itself is the platform's (`platform.imds`).
import type { Imds, Platform } from '../../platform/types';

export const IMDS_URL_ENV = 'BRKT_IMDS_URL';
const EC2_IMDS = 'http://169.254.169.254';

export type { Imds } from '../../platform/types';

/**
 * The IMDS of this host: `BRKT_IMDS_URL` when set; on a real host EC2's address; in a sandbox
 * none (`undefined`), so a sandbox never waits on a link-local address that is not there.
 */
export function imdsFor(platform: Platform): Imds | undefined {
  const configured = platform.env(IMDS_URL_ENV);
  if (configured) return platform.imds(configured);
  return platform.kind === 'host' ? platform.imds(EC2_IMDS) : undefined;
}

