// Keep-alive GET load on a Unix socket: `CONNECTIONS` clients sending back to back for a while.
import { median, percentile } from './measure';

const CONNECTIONS = 16;
const DURATION_MS = 3000;

export async function throughput(socket: string, path: string, durationMs = DURATION_MS): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  const client = async () => {
    while (performance.now() < end) {
      const start = performance.now();
      const response = await fetch(`http://localhost${path}`, { unix: socket, keepalive: true } as RequestInit);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
      latencies.push(performance.now() - start);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, client));
  const seconds = (performance.now() - started) / 1000;
  return { rps: latencies.length / seconds, p50: median(latencies), p99: percentile(latencies, 99) };
}

export const THROUGHPUT_CONNECTIONS = CONNECTIONS;
