// Shared measuring for the benchmarks: each figure is set beside a reference tool's figure
// taken in the same run, and the ratio is what is reported.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sample {
  ms: number;
  maxRssBytes: number;
}

export interface Row {
  name: string;
  ours: string;
  reference: string;
  ratio: number;
  goal?: string;
}

/**
 * Runs a command `runs` times (after `warmup` unmeasured runs): median wall time, and peak RSS of
 * the command itself from GNU time in three more runs (a spawner's own rusage reports the
 * largest child it ever had, not this one).
 */
export function measureCommand(cmd: string[], options: { runs?: number; warmup?: number; env?: Record<string, string>; stdin?: Uint8Array } = {}): Sample {
  const runs = options.runs ?? 30;
  const spawn = (argv: string[]) => Bun.spawnSync({ cmd: argv, env: options.env, stdin: options.stdin, stdout: 'ignore', stderr: 'pipe' });
  for (let i = 0; i < (options.warmup ?? 3); i++) spawn(cmd);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawn(cmd);
    times.push(performance.now() - start);
    if (result.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed (${result.exitCode}): ${result.stderr?.toString()}`);
  }
  return { ms: median(times), maxRssBytes: peakRss(cmd, spawn) };
}

function peakRss(cmd: string[], spawn: (argv: string[]) => ReturnType<typeof Bun.spawnSync>): number {
  const report = join(mkdtempSync(join(tmpdir(), 'brkt-rss-')), 'rss');
  let peak = 0;
  for (let i = 0; i < 3; i++) {
    const result = spawn(['/usr/bin/time', '-f', '%M', '-o', report, ...cmd]);
    if (result.exitCode !== 0) throw new Error(`/usr/bin/time ${cmd.join(' ')} failed: ${result.stderr?.toString()}`);
    peak = Math.max(peak, Number(readFileSync(report, 'utf8').trim().split('\n').at(-1)) * 1024);
  }
  rmSync(report, { force: true });
  return peak;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const fmtMs = (ms: number) => `${ms.toFixed(2)} ms`;
export const fmtMiB = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

export function printRows(title: string, rows: Row[]) {
  console.log(`\n## ${title}`);
  const width = Math.max(...rows.map(row => row.name.length));
  for (const row of rows) {
    const goal = row.goal ? `  (goal ${row.goal})` : '';
    console.log(`${row.name.padEnd(width)}  ${row.ours.padStart(12)} vs ${row.reference.padStart(12)}  = ${row.ratio.toFixed(2)}x${goal}`);
  }
}
