// Which instance-metadata service a host has: the base URL is configurable for tests; otherwise
// the platform answers with its own (`platform.instanceMetadata`).
import type { Imds, Platform } from '../../platform/types';

export const IMDS_URL_ENV = 'BRKT_IMDS_URL';

export type { Imds } from '../../platform/types';

/**
 * The IMDS of this host: `BRKT_IMDS_URL` when set, else the platform's own (EC2's on a host, a
 * sandbox's files); `undefined` when there is none, so nothing waits on an absent address.
 */
export function imdsFor(platform: Platform): Imds | undefined {
  const configured = platform.env(IMDS_URL_ENV);
  if (configured) return platform.imds(configured);
  return platform.instanceMetadata();
}

