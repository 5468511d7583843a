// The client people type every day: `apiclient -u /settings` beside curl doing the same GET,
// and `apiclient set motd=x` beside curl doing the same PATCH and commit_and_apply.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BRKT, SCRATCH } from './setup';
import { fmtMs, measureCommand, type Row } from './measure';
import { startServing } from './serving';

const BIN = process.env.BRKT_BIN ?? BRKT;

export async function benchClient(): Promise<Row[]> {
  const root = join(SCRATCH, `client-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(SCRATCH, { recursive: true });
  const init = Bun.spawnSync({ cmd: [BIN, 'dev', 'init', root] });
  if (init.exitCode !== 0) throw new Error(`brkt dev init failed: ${init.stderr.toString()}`);
  const apiclient = join(root, 'apiclient');
  symlinkSync(BIN, apiclient);
  const socket = join(root, 'run/api.sock');
  const server = await startServing([BIN, '--root', root, 'boot', '--serve'], 'serving the API on');
  try {
    const env = { PATH: process.env.PATH ?? '' };
    const curl = (args: string[]) => ['curl', '-sf', '--unix-socket', socket, '-H', 'content-type: application/json', ...args];
    const get = measureCommand([apiclient, '-s', socket, '-u', '/settings'], { env });
    const curlGet = measureCommand(curl(['http://localhost/settings']), { env });

    const set = measureCommand([apiclient, '-s', socket, 'set', 'motd=x'], { env, runs: 20 });
    // Both requests in one shell line, as a script would do it with curl.
    const quote = (words: string[]) => words.map(word => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
    const patchCmd = quote(curl(['-X', 'PATCH', '-d', '{"request_payload":["motd=x"]}', 'http://localhost/settings/keypair?tx=bench']));
    const commitCmd = quote(curl(['-X', 'POST', 'http://localhost/tx/commit_and_apply?tx=bench']));
    const commit = measureCommand(['sh', '-c', `${patchCmd} >/dev/null && ${commitCmd} >/dev/null`], { env, runs: 20 });
    return [
      { name: 'apiclient -u /settings', ours: fmtMs(get.ms), reference: fmtMs(curlGet.ms), ratio: get.ms / curlGet.ms, goal: '<= 1.3x curl' },
      { name: 'apiclient set motd=x', ours: fmtMs(set.ms), reference: fmtMs(commit.ms), ratio: set.ms / commit.ms, goal: '<= 1.5x curl PATCH + commit_and_apply' },
    ];
  } finally {
    server.kill('SIGTERM');
    await server.exited;
    rmSync(root, { recursive: true, force: true });
  }
}
