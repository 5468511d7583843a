// A small instance-metadata (IMDSv2) client: session token, then GETs. Mirrors the imdsclient
// that early-boot-config and pluto use, with the base URL configurable for tests and sandboxes.
import { BrktError } from '../errors';
import type { Platform } from '../../platform/types';

export const IMDS_URL_ENV = 'BRKT_IMDS_URL';
const EC2_IMDS = 'http://169.254.169.254';
const REQUEST_TIMEOUT_MS = 10_000;

export interface Imds {
  readonly baseUrl: string;
  /** The body at `path`, or `undefined` for 404 (absent). Other statuses throw. */
  get(path: string): Promise<string | undefined>;
}

/**
 * The IMDS of this host: `BRKT_IMDS_URL` when set; on a real host EC2's address; in a sandbox
 * none (`undefined`), so a sandbox never waits on a link-local address that is not there.
 */
export function imdsFor(platform: Platform): Imds | undefined {
  const configured = platform.env(IMDS_URL_ENV);
  if (configured) return imdsClient(configured);
  return platform.kind === 'host' ? imdsClient(EC2_IMDS) : undefined;
}

export function imdsClient(baseUrl: string): Imds {
  const base = baseUrl.replace(/\/+$/, '');
  let token: Promise<string> | undefined;

  async function call(method: string, path: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(`${base}${path}`, { method, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new BrktError('unavailable', `Failed to ${method} ${base}${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  // One token per client, shared by concurrent requests (providers run in parallel).
  function sessionToken(): Promise<string> {
    token ??= (async () => {
      const response = await call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '60' });
      const body = await response.text();
      if (!response.ok) throw new BrktError('unavailable', `IMDS at ${base} refused a session token: ${response.status}`);
      return body;
    })();
    return token;
  }

  return {
    baseUrl: base,
    async get(path) {
      const response = await call('GET', path, { 'X-aws-ec2-metadata-token': await sessionToken() });
      const body = await response.text();
      if (response.status === 404) return undefined;
      if (!response.ok) throw new BrktError('unavailable', `GET ${base}${path} answered ${response.status}`);
      return body;
    },
  };
}
