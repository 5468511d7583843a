// The API socket is never reachable with a mode wider than 0660, not even between bind(2) and
// chmod(2): the test looks at the socket at the instant Bun.serve has bound it.
import { afterEach, expect, spyOn, test } from 'bun:test';
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeTempDir } from '../../test/helpers/sandbox';
import { makePlatform } from '.';

const restore: Array<() => void> = [];
afterEach(() => restore.splice(0).forEach(undo => undo()));

/** What others could do with the socket right after bind: its mode, and the modes of the directories on the way. */
function spyOnBind(root: string) {
  const seen: Array<{ socket: number; dirs: number[] }> = [];
  const serve = Bun.serve;
  const spy = spyOn(Bun, 'serve').mockImplementation(((options: { unix: string }) => {
    const server = serve(options as Parameters<typeof Bun.serve>[0]);
    const dirs: number[] = [];
    for (let dir = dirname(options.unix); ; dir = dirname(dir)) {
      dirs.push(statSync(dir).mode & 0o777);
      if (statSync(dir).ino === statSync(root).ino || dir === '/') break;
    }
    seen.push({ socket: lstatSync(options.unix).mode & 0o777, dirs });
    return server;
  }) as typeof Bun.serve);
  restore.push(() => spy.mockRestore());
  return seen;
}

test('with umask 0 the socket is never reachable by others before it is 0660', async () => {
  await using dir = makeTempDir();
  const platform = makePlatform({ root: dir.root, env: {} });
  mkdirSync(dir.path('run'));
  chmodSync(dir.root, 0o755); // a temp dir is 0700: it would hide the socket by itself
  chmodSync(dir.path('run'), 0o755);
  const seen = spyOnBind(dir.root);
  const umask = process.umask(0);
  restore.push(() => process.umask(umask));
  const listener = await platform.serveHttp({ socket: platform.paths.apiSocket, handler: () => new Response('ok') });
  try {
    expect(seen.length).toBe(1);
    // At bind time either the socket itself is at most 0660, or a directory on its way admits only its owner.
    const { socket, dirs } = seen[0]!;
    expect((socket & ~0o660) === 0 || dirs.some(mode => (mode & 0o077) === 0)).toBe(true);
    expect(lstatSync(platform.paths.apiSocket).mode & 0o777).toBe(0o660);
    expect(readdirSync(dir.path('run'))).toEqual(['api.sock']); // no private directory left behind
    const reply = await platform.unixRequest(platform.paths.apiSocket, 'GET', '/');
    expect(reply.body).toBe('ok');
  } finally {
    await listener.stop();
  }
  expect(readdirSync(dir.path('run'))).toEqual([]);
});

test('a run/ link out of the root does not move the socket out of it', async () => {
  await using dir = makeTempDir();
  mkdirSync(dir.path('root'));
  mkdirSync(dir.path('outside'));
  symlinkSync(dir.path('outside'), dir.path('root/run'));
  const platform = makePlatform({ root: dir.path('root'), env: {} });
  await expect(platform.serveHttp({ socket: platform.paths.apiSocket, handler: () => new Response('ok') })).rejects.toThrow('outside the root');
  expect(readdirSync(dir.path('outside'))).toEqual([]);
});
