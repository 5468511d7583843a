// Shared measuring for the benchmarks: each figure is set beside a reference tool's figure
// taken in the same run, and the ratio is what is reported.

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

/** Runs a command `runs` times (after `warmup` unmeasured runs); median wall time and peak RSS. */
export function measureCommand(cmd: string[], options: { runs?: number; warmup?: number; env?: Record<string, string>; stdin?: Uint8Array } = {}): Sample {
  const runs = options.runs ?? 30;
  for (let i = 0; i < (options.warmup ?? 3); i++) Bun.spawnSync({ cmd, env: options.env, stdin: options.stdin });
  const times: number[] = [];
  let maxRss = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = Bun.spawnSync({ cmd, env: options.env, stdin: options.stdin, stdout: 'ignore', stderr: 'pipe' });
    times.push(performance.now() - start);
    if (result.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed (${result.exitCode}): ${result.stderr.toString()}`);
    maxRss = Math.max(maxRss, result.resourceUsage.maxRSS);
  }
  return { ms: median(times), maxRssBytes: maxRss };
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
