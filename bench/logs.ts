// Log bundle: `brkt logs` over a 50 MB log tree beside `tar czf` of the same tree (both gzip
// level 6), wall time and peak RSS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRKT, SCRATCH } from './setup';
import { fmtMiB, fmtMs, measureCommand, type Row } from './measure';

const TREE_BYTES = 50 * 1024 * 1024;
const FILES_PER_DIR = 10;
const DIRS = 20;

/** Journal-like text: timestamps, units, varying numbers, so gzip works about as hard as on real logs. */
function logText(bytes: number, seed: number): string {
  const units = ['kubelet', 'containerd', 'apiserver', 'host-ctr', 'systemd', 'chronyd', 'wicked'];
  const words = ['started', 'stopped', 'reconciling', 'pulled image', 'failed to sync', 'lease renewed', 'GET /settings', 'OOM score adjusted'];
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const time = new Date(1_700_000_000_000 + next() % 86_400_000).toISOString();
    const line = `${time} ip-10-0-${next() % 256}-${next() % 256} ${units[next() % units.length]}[${next() % 65536}]: ${words[next() % words.length]} id=${next().toString(16)} took=${next() % 10000}ms\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('');
}

function makeTree(root: string) {
  const perFile = Math.ceil(TREE_BYTES / (DIRS * FILES_PER_DIR));
  for (let dir = 0; dir < DIRS; dir++) {
    const path = join(root, 'var/log/bench', `service-${dir}`);
    mkdirSync(path, { recursive: true });
    for (let file = 0; file < FILES_PER_DIR; file++) writeFileSync(join(path, `log.${file}`), logText(perFile, dir * 100 + file));
  }
  mkdirSync(join(root, 'usr/share/logdog.d'), { recursive: true });
  writeFileSync(join(root, 'usr/share/logdog.d/bench.conf'), 'glob /var/log/bench/*\n');
}

export async function benchLogs(): Promise<Row[]> {
  const brkt = process.env.BRKT_BIN ?? BRKT;
  const base = join(SCRATCH, `logs-${process.pid}`);
  const root = join(base, 'root');
  makeTree(root);
  const env = { PATH: process.env.PATH ?? '', TMPDIR: base };
  const options = { runs: 5, warmup: 1, env };
  const ours = measureCommand([brkt, '--root', root, 'logs', '--output', join(base, 'brkt.tar.gz')], options);
  const tar = measureCommand(['tar', 'czf', join(base, 'tar.tar.gz'), '-C', join(root, 'var/log'), 'bench'], options);
  return [
    { name: 'brkt logs (50 MB tree) wall', ours: fmtMs(ours.ms), reference: fmtMs(tar.ms), ratio: ours.ms / tar.ms, goal: '<= 1.0x tar czf' },
    { name: 'brkt logs (50 MB tree) peak RSS', ours: fmtMiB(ours.maxRssBytes), reference: fmtMiB(tar.maxRssBytes), ratio: ours.maxRssBytes / tar.maxRssBytes },
  ];
}
