// Temp directories for tests, removed when the `await using` scope ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePlatform } from '../../src/platform';
import { initSandbox, DEFAULT_SANDBOX_VARIANT, SANDBOX_STEPS } from '../../src/core/sandbox/init';
import type { Platform } from '../../src/platform/types';

export interface TempDir extends AsyncDisposable {
  root: string;
  path(rel: string): string;
}

export function makeTempDir(prefix = 'brkt-test-'): TempDir {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    path: rel => join(root, rel),
    async [Symbol.asyncDispose]() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface Sandbox extends TempDir {
  platform: Platform;
}

/**
 * A temp dir initialised by `brkt dev init`'s own code, with a sandbox platform on it. Unless
 * `userData` is set, the sandbox's sample user data and instance metadata are left out, so
 * tests start from none.
 */
export async function makeSandbox(options: { variant?: string; init?: boolean; userData?: boolean } = {}): Promise<Sandbox> {
  const dir = makeTempDir('brkt-sandbox-');
  const platform = makePlatform({ root: dir.root, env: {} });
  const steps = options.userData ? SANDBOX_STEPS : SANDBOX_STEPS.filter(step => step.name !== 'user data' && step.name !== 'instance metadata');
  if (options.init !== false) await initSandbox(platform, { variant: options.variant ?? DEFAULT_SANDBOX_VARIANT }, steps);
  return Object.assign(dir, { platform });
}
