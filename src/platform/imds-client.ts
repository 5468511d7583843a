// The instance-metadata (IMDSv2) client: session token, then GETs, over the host's network.
// Mirrors the imdsclient that early-boot-config and pluto use; core reaches it as `platform.imds`.
import { BrktError } from '../core/errors';
import type { Imds } from './types';

const REQUEST_TIMEOUT_MS = 10_000;

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
