// The progress bar of `brkt update` on a terminal: one line per image with bytes, rate and ETA,
// redrawn at most ten times a second; nothing at all when stderr is not a terminal.
import type { ImageKind, ImageProgress } from '../../core/updates/apply';
import { writeErr } from '../output';

const MiB = 1 << 20;
const WIDTH = 24;

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** One progress line; compressed bytes read against the signed length drive the bar and ETA. */
export function progressLine(image: ImageKind, read: number, total: number, elapsedMs: number): string {
  const share = total > 0 ? Math.min(1, read / total) : 1;
  const filled = Math.round(share * WIDTH);
  const rate = elapsedMs > 0 ? read / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? (total - read) / rate : Infinity;
  return `${image.padEnd(4)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${mib(read)}/${mib(total)} ${mib(rate)}/s ETA ${duration(eta)}`;
}

export interface ProgressBar {
  start(image: ImageKind, total: number): void;
  update(progress: ImageProgress): void;
  done(image: ImageKind, total: number): void;
  log(line: string): void;
}

/** A bar on stderr when it is a terminal, else a bar that prints nothing. */
export async function makeProgressBar(now: () => number = Date.now): Promise<ProgressBar> {
  const { isatty } = await import('node:tty');
  if (!isatty(2)) return { start() {}, update() {}, done() {}, log() {} };
  let started = 0;
  let drawn = 0;
  const draw = (text: string, final = false) => writeErr(`\r\x1b[2K${text}${final ? '\n' : ''}`);
  return {
    start(image, total) {
      started = now();
      drawn = 0;
      draw(progressLine(image, 0, total, 0));
    },
    update(p) {
      const at = now();
      if (at - drawn < 100 && p.read < p.total) return;
      drawn = at;
      draw(progressLine(p.image, p.read, p.total, at - started));
    },
    done(image, total) {
      draw(progressLine(image, total, total, now() - started), true);
    },
    log(line) {
      writeErr(`${line}\n`);
    },
  };
}
