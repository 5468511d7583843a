// The settings API: `brkt api -u /settings` beside `curl --unix-socket`; server throughput for
// GET /settings with concurrent keep-alive clients beside a minimal Bun.serve with a fixed body
// (the ceiling); the commit of one setting beside a raw write+fsync+rename (the floor).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BRKT, SCRATCH } from './setup';
import { fmtMs, measureCommand, median, type Row } from './measure';
import { throughput, THROUGHPUT_CONNECTIONS as CONNECTIONS } from './throughput';
import { commitFloor } from './commit-floor';
import { startServing } from './serving';

const BIN = process.env.BRKT_BIN ?? BRKT;
const COMMITS = 60;

export async function benchApi(): Promise<Row[]> {
  const root = join(SCRATCH, `api-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(SCRATCH, { recursive: true });
  const init = Bun.spawnSync({ cmd: [BIN, 'dev', 'init', '--variant', 'aws-k8s-1.17', root] });
  if (init.exitCode !== 0) throw new Error(`brkt dev init failed: ${init.stderr.toString()}`);
  const socket = join(root, 'run/api.sock');
  const server = await startServing([BIN, '--root', root, 'boot', '--serve'], 'serving the API on');
  const ceilingSocket = join(root, 'run/ceiling.sock');
  let ceiling: ReturnType<typeof Bun.spawn> | undefined;
  try {
    const body = await (await fetch('http://localhost/settings', { unix: socket } as RequestInit)).text();
    const env = { PATH: process.env.PATH ?? '' };
    const ours = measureCommand([BIN, '--root', root, 'api', '-u', '/settings'], { env });
    const curl = measureCommand(['curl', '-sf', '--unix-socket', socket, 'http://localhost/settings'], { env });

    const served = await throughput(socket, '/settings');
    const script = `Bun.serve({ unix: ${JSON.stringify(ceilingSocket)}, fetch: () => new Response(${JSON.stringify(body)}, { headers: { 'content-type': 'application/json' } }) }); console.log('serving the API on ceiling');`;
    ceiling = await startServing([process.execPath, '-e', script], 'serving the API on');
    const top = await throughput(ceilingSocket, '/settings');

    const commits: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      const patched = await fetch('http://localhost/settings?tx=bench', { unix: socket, method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ motd: `bench ${i}` }) } as RequestInit);
      if (patched.status !== 204) throw new Error(`PATCH: ${patched.status}`);
      const start = performance.now();
      const committed = await fetch('http://localhost/tx/commit?tx=bench', { unix: socket, method: 'POST' } as RequestInit);
      await committed.arrayBuffer();
      commits.push(performance.now() - start);
      if (committed.status !== 200) throw new Error(`commit: ${committed.status}`);
    }
    const floor = commitFloor(join(root, 'var/lib/bottlerocket/datastore/current'), COMMITS);
    const commit = median(commits);

    const rps = (n: number) => `${Math.round(n)} req/s`;
    return [
      { name: 'brkt api -u /settings (wall)', ours: fmtMs(ours.ms), reference: fmtMs(curl.ms), ratio: ours.ms / curl.ms, goal: '~1.1x curl --unix-socket' },
      { name: `GET /settings, ${CONNECTIONS} keep-alive clients`, ours: rps(served.rps), reference: rps(top.rps), ratio: served.rps / top.rps, goal: '>= 0.5x Bun.serve fixed body' },
      { name: 'GET /settings p50 latency', ours: fmtMs(served.p50), reference: fmtMs(top.p50), ratio: served.p50 / top.p50 },
      { name: 'GET /settings p99 latency', ours: fmtMs(served.p99), reference: fmtMs(top.p99), ratio: served.p99 / top.p99, goal: 'p99 < 5 ms' },
      { name: 'commit of one setting', ours: fmtMs(commit), reference: fmtMs(floor.floor), ratio: commit / floor.floor, goal: '<= 2x write+fsync+rename' },
      { name: 'commit vs floor + directory fsync', ours: fmtMs(commit), reference: fmtMs(floor.withDir), ratio: commit / floor.withDir },
    ];
  } finally {
    ceiling?.kill('SIGTERM');
    server.kill('SIGTERM');
    await server.exited;
    rmSync(root, { recursive: true, force: true });
  }
}
