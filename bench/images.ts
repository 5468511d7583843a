// Test data and measuring shared by the image benchmarks: a synthetic root image, and runs of a
// command (or a pipeline) under GNU time for wall time and peak RSS.
import { closeSync, openSync, writeSync } from 'node:fs';
import { median } from './measure';

const MiB = 1 << 20;
const RUNS = Number(process.env.BRKT_BENCH_RUNS ?? 3);

/** An ext4-like image: runs of zeros, text and noise (about 40 % after lz4), `header` first. */
export function writeSyntheticImage(path: string, mib: number, header?: Uint8Array) {
  const fd = openSync(path, 'w');
  const chunk = new Uint8Array(MiB);
  let x = 12345;
  const text = new TextEncoder().encode('usr/lib/systemd/system/containerd.service ExecStart=/usr/bin/containerd ');
  for (let m = 0; m < mib; m++) {
    for (let i = 0; i < chunk.length; i += 4096) {
      const kind = (Math.imul(m * 256 + (i >> 12), 2654435761) >>> 0) % 10;
      for (let j = i; j < i + 4096; j++) {
        if (kind < 3) chunk[j] = 0;
        else if (kind < 6) chunk[j] = text[j % text.length]!;
        else {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          chunk[j] = kind < 8 ? x >>> 24 : (x >>> 29) + 0x30;
        }
      }
    }
    if (m === 0 && header) chunk.set(header);
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

export interface Sample {
  ms: number;
  rss: number;
}

/** Wall time, and peak RSS from GNU time (the largest process of a pipeline), in bytes. */
async function run(cmd: string[], env: Record<string, string> = {}): Promise<Sample> {
  const start = performance.now();
  const proc = Bun.spawn({ cmd: ['/usr/bin/time', '-f', '%M', ...cmd], env: { ...process.env, ...env }, stdout: 'ignore', stderr: 'pipe' });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`${cmd.join(' ')} failed (${code}): ${stderr}`);
  return { ms, rss: Number(stderr.trim().split('\n').at(-1)) * 1024 };
}

/** One warm-up run (page cache, binary), then the median time and largest peak RSS of the runs. */
export async function measureTimed(cmd: string[], env: Record<string, string> = {}): Promise<Sample> {
  await run(cmd, env);
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await run(cmd, env));
  return { ms: median(samples.map(s => s.ms)), rss: Math.max(...samples.map(s => s.rss)) };
}
