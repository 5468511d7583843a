// Runs the boot-health checks: all at once, each without a shell, with its own timeout and
// the window as a shared deadline. Output goes to one file per check; the last lines are kept.
import type { Platform } from '../../platform/types';
import { messageOf } from '../errors';
import type { HealthCheck, HealthConfig } from './config';
import type { CheckResult } from './record';

/** How many lines of a check's output a judgement keeps. */
export const OUTPUT_TAIL_LINES = 20;
const TAIL_BYTES = 16 * 1024;

/**
 * Runs every check of `config` in parallel and resolves when all have ended. A check passes
 * when it exits 0 before min(its timeout, the window); then its process group is killed.
 * Checks see `BRKT_ROOT` set to the platform's root (`/` on a host).
 */
export async function runChecks(platform: Platform, config: HealthConfig, outputDir: string): Promise<CheckResult[]> {
  await platform.files.mkdirp(outputDir);
  return Promise.all(config.checks.map(check => runCheck(platform, check, config.windowSeconds, outputDir)));
}

async function runCheck(platform: Platform, check: HealthCheck, windowSeconds: number, outputDir: string): Promise<CheckResult> {
  const outputPath = `${outputDir}/${check.name}.log`;
  const started = platform.now().getTime();
  const base = { name: check.name, command: check.command ?? [], outputPath };
  if (!check.command?.length) {
    await platform.files.writeAtomic(outputPath, 'no command set (settings.boot-health.checks.<name>.command)\n');
    return { ...base, outcome: 'failed', exitStatus: null, durationMs: 0, outputTail: await outputTail(platform, outputPath) };
  }
  // The checks start together, so the window is the same deadline for each of them.
  const limitSeconds = Math.min(check.timeoutSeconds, windowSeconds);
  let result;
  try {
    result = await platform.bundleIo.execToFile(check.command, outputPath, { timeoutMs: limitSeconds * 1000, env: { BRKT_ROOT: platform.paths.root } });
  } catch (error) {
    result = { code: 127, timedOut: false, spawnError: messageOf(error) };
  }
  if (result.spawnError) await platform.files.append(outputPath, `${check.command[0]}: ${result.spawnError}\n`);
  const durationMs = platform.now().getTime() - started;
  const tail = await outputTail(platform, outputPath);
  if (result.timedOut) {
    const stoppedBy = check.timeoutSeconds <= windowSeconds ? 'timeout' : 'window';
    return { ...base, outcome: 'timed-out', exitStatus: null, stoppedBy, durationMs, outputTail: tail };
  }
  return { ...base, outcome: result.code === 0 ? 'passed' : 'failed', exitStatus: result.code, durationMs, outputTail: tail };
}

/** The last lines of a file, reading at most its last TAIL_BYTES. */
async function outputTail(platform: Platform, path: string): Promise<string[]> {
  const info = await platform.files.info(path);
  if (!info?.size) return [];
  const handle = await platform.files.open(path, 'r');
  let bytes;
  try {
    const start = Math.max(0, info.size - TAIL_BYTES);
    bytes = await handle.read(start, info.size - start);
  } finally {
    await handle.close();
  }
  const lines = new TextDecoder().decode(bytes).replace(/\n$/, '').split('\n');
  if (info.size > TAIL_BYTES) lines.shift(); // the first line read is likely cut
  return lines.slice(-OUTPUT_TAIL_LINES);
}
