// `--since DURATION` and `--timeout SECONDS` (brkt additions to logdog): parsing, and the
// journal arguments they turn into.
import { basename } from 'node:path';
import { BrktError } from '../errors';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `90m`, `2h`, `1h30m`, `7d` -> seconds. A bare number is seconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed) && Number(trimmed) > 0) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map(part => part[0]).join('') !== trimmed) {
    throw new BrktError('invalid-input', `Invalid duration '${text}' for --since: use a number with s, m, h, d or w, like 90m or 2h`);
  }
  const seconds = parts.reduce((sum, part) => sum + Number(part[1]) * UNIT_SECONDS[part[2]!]!, 0);
  if (seconds === 0) throw new BrktError('invalid-input', `Invalid duration '${text}' for --since: it must be longer than zero`);
  return seconds;
}

/** `--timeout` / `BRKT_LOGS_TIMEOUT`: seconds, fractions allowed; `0` means no timeout. */
export function parseTimeoutSeconds(text: string, source: string): number | undefined {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new BrktError('invalid-input', `Invalid timeout '${text}' for ${source}: give seconds, 0 for none`);
  }
  return seconds === 0 ? undefined : seconds * 1000;
}

/**
 * Adds `--since=@EPOCH` to a journalctl command (an absolute time, so the host's time zone and
 * journalctl's relative-time syntax do not matter). `--list-boots` lists boots and is left alone.
 */
export function withSince(argv: string[], sinceSeconds: number | undefined, now: Date): string[] {
  if (sinceSeconds === undefined || basename(argv[0] ?? '') !== 'journalctl' || argv.includes('--list-boots')) return argv;
  const epoch = Math.floor(now.getTime() / 1000) - sinceSeconds;
  return [...argv, `--since=@${epoch}`];
}
