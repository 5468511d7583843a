// /etc/updog.toml: the updater's configuration, rendered from settings.updates.* (updates.md 5.6).
// Mirrors updog's Config struct: required keys, optional proxy keys, unknown keys ignored.
import { parse as parseToml } from 'smol-toml';
import { BrktError, messageOf } from '../errors';
import type { Platform } from '../../platform/types';

export interface UpdogConfig {
  metadataBaseUrl: string;
  targetsBaseUrl: string;
  /** u32; bork generates 0..2047. */
  seed: number;
  /** `latest` or a version with an optional leading `v` (checked when an update is chosen). */
  versionLock: string;
  ignoreWaves: boolean;
  httpsProxy?: string;
  noProxy?: string[];
  /**
   * brkt: `settings.updates.paused`, the fleet-wide andon cord. Optional so upstream files parse;
   * when true, checks still report but nothing is staged or activated.
   */
  paused: boolean;
}

const U32_MAX = 4294967295;

/** Parses the text of updog.toml; `path` names the file in errors. */
export function parseUpdogConfig(text: string, path: string): UpdogConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new BrktError('invalid-input', `Failed to parse config file ${path}: ${messageOf(error).split('\n')[0]}`);
  }
  const bad = (key: string, why: string): never => {
    throw new BrktError('invalid-input', `Failed to parse config file ${path}: ${key} ${why}`);
  };
  const string = (key: string): string => {
    const value = doc[key];
    if (value === undefined) return bad(key, 'is missing');
    return typeof value === 'string' ? value : bad(key, 'is not a string');
  };
  const boolean = (key: string, fallback?: boolean): boolean => {
    const value = doc[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (value === undefined) return bad(key, 'is missing');
    return typeof value === 'boolean' ? value : bad(key, 'is not a boolean');
  };
  const seedValue = doc.seed;
  if (seedValue === undefined) bad('seed', 'is missing');
  // smol-toml gives integers as numbers (or bigint beyond 2^53): either way it must be a u32.
  const seed = typeof seedValue === 'bigint' ? Number(seedValue) : seedValue;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > U32_MAX) bad('seed', 'is not an unsigned 32-bit integer');
  const config: UpdogConfig = {
    metadataBaseUrl: string('metadata_base_url'),
    targetsBaseUrl: string('targets_base_url'),
    seed: seed as number,
    versionLock: string('version_lock'),
    ignoreWaves: boolean('ignore_waves'),
    paused: boolean('paused', false),
  };
  if (doc.https_proxy !== undefined) config.httpsProxy = string('https_proxy');
  if (doc.no_proxy !== undefined) {
    const list = doc.no_proxy;
    if (!Array.isArray(list) || list.some(item => typeof item !== 'string')) bad('no_proxy', 'is not an array of strings');
    config.noProxy = list as string[];
  }
  return config;
}

/** Reads and parses `etc/updog.toml` under the root (updates.md 5.2 step 2). */
export async function readUpdogConfig(platform: Platform): Promise<UpdogConfig> {
  const path = platform.paths.updogToml;
  let text: string;
  try {
    text = await platform.files.readText(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : messageOf(error);
    throw new BrktError('not-found', `Failed to read config file ${path}: ${reason}`);
  }
  return parseUpdogConfig(text, path);
}

/**
 * updates.md 5.2 step 3: the proxy variables updog sets for its transport. Empty when
 * `https_proxy` is absent or empty (then `no_proxy` is ignored too).
 */
export function proxyEnvironment(config: UpdogConfig): Record<string, string> {
  if (!config.httpsProxy) return {};
  const env: Record<string, string> = { HTTPS_PROXY: config.httpsProxy };
  if (config.noProxy && config.noProxy.length > 0) env.NO_PROXY = config.noProxy.join(',');
  return env;
}
