// The instance-metadata (IMDSv2) client: session token, then GETs, over the host's network.
// Mirrors the imdsclient that early-boot-config and pluto use; core reaches it as `platform.imds`.
// Each request is retried a bounded number of times with doubling waits: a service that is not
// there costs at most a few seconds, never a hang.
import { BrktError } from '../core/errors';
import type { Imds } from './types';

export interface ImdsRetry {
  /** Requests per call, the first included. */
  attempts: number;
  /** Wait before the second attempt; each next wait doubles. */
  firstDelayMs: number;
  /** Per request. */
  timeoutMs: number;
}

/** At most 4 attempts, waiting 0.25 + 0.5 + 1 s between them. */
export const DEFAULT_IMDS_RETRY: ImdsRetry = { attempts: 4, firstDelayMs: 250, timeoutMs: 5_000 };

const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export function imdsClient(baseUrl: string, retry: ImdsRetry = DEFAULT_IMDS_RETRY): Imds {
  const base = baseUrl.replace(/\/+$/, '');
  let token: Promise<string> | undefined;

  /**
   * One request, retried after a transport failure or a 5xx/429 answer. Still unreachable after
   * the last attempt: `unavailable`. An answer is returned as it is (the last one after 5xx).
   */
  async function call(method: string, path: string, headers: Record<string, string>): Promise<Response> {
    let delay = retry.firstDelayMs;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= retry.attempts;
      try {
        const response = await fetch(`${base}${path}`, { method, headers, signal: AbortSignal.timeout(retry.timeoutMs) });
        if (last || (response.status < 500 && response.status !== 429)) return response;
        await response.body?.cancel();
      } catch (error) {
        if (last) throw new BrktError('unavailable', `Failed to ${method} ${base}${path} (${attempt} attempts): ${(error as Error).message}`, { cause: error });
      }
      await pause(delay);
      delay *= 2;
    }
  }

  // One token per client, shared by concurrent requests (providers run in parallel).
  function sessionToken(): Promise<string> {
    token ??= (async () => {
      const response = await call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '60' });
      const body = await response.text();
      if (!response.ok) throw new BrktError('io', `IMDS at ${base} refused a session token: ${response.status}`);
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
      if (!response.ok) throw new BrktError('io', `GET ${base}${path} answered ${response.status}`);
      return body;
    },
  };
}
