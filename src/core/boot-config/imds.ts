// Which instance-metadata service a host has: the base URL is configurable for tests; otherwise
// the platform answers with its own (`platform.instanceMetadata`).
import { BrktError, messageOf } from '../errors';
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

/** An IMDS that may not be there: why it was not, once a request found it unreachable. */
export interface OptionalImds extends Imds {
  readonly unreachable: string | undefined;
}

/**
 * Instance metadata as one optional source (brkt: a host without it still boots): a service
 * that cannot be reached, after the client's bounded retries, reads as absent from then on.
 * A service that answers with an error still fails, as does anything it sends that is wrong.
 */
export function optionalImds(imds: Imds): OptionalImds {
  let unreachable: string | undefined;
  return {
    baseUrl: imds.baseUrl,
    get unreachable() {
      return unreachable;
    },
    async get(path) {
      if (unreachable) return undefined;
      try {
        return await imds.get(path);
      } catch (error) {
        if (!(error instanceof BrktError) || error.code !== 'unavailable') throw error;
        unreachable = messageOf(error);
        return undefined;
      }
    },
  };
}
