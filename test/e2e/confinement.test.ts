// Links planted inside a sandbox root never make the compiled binary read or write outside it:
// a rendered config file, a pending transaction and live/ of the datastore.
import { expect, test } from 'bun:test';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeSandbox, makeTempDir } from '../helpers/sandbox';

/** Every file under `dir` with its content, to show that nothing there changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    try {
      out[name] = readFileSync(`${dir}/${name}`, 'utf8');
    } catch {
      out[name] = '<dir>';
    }
  }
  return out;
}

test.concurrent('settings set with ROOT/etc a link to a directory outside writes nothing there', async () => {
  await using sandbox = await makeSandbox();
  await using outside = makeTempDir('brkt-outside-');
  await using boot = spawnBoot(sandbox.root, ['--serve']);
  await boot.waitForLine('boot: serving the API on');
  // The outside directory looks like etc, so a write through the link would succeed silently.
  cpSync(sandbox.path('etc'), outside.root, { recursive: true });
  const before = snapshot(outside.root);
  renameSync(sandbox.path('etc'), sandbox.path('etc.real'));
  symlinkSync(outside.root, sandbox.path('etc'));
  const set = await brkt('brkt', ['settings', 'set', 'motd=planted'], { root: sandbox.root });
  expect(set.code).toBe(1);
  expect(set.stderr).toContain('outside the root');
  expect(snapshot(outside.root)).toEqual(before);
});

test.concurrent('a pending transaction or live/settings planted as a link outside: PATCH and commit write nothing there', async () => {
  await using sandbox = await makeSandbox();
  await using outside = makeTempDir('brkt-outside-');
  await using boot = spawnBoot(sandbox.root, ['--serve']);
  await boot.waitForLine('boot: serving the API on');
  const datastore = sandbox.path('var/lib/bottlerocket/datastore/current');
  mkdirSync(`${datastore}/pending`, { recursive: true });
  symlinkSync(outside.root, `${datastore}/pending/evil`);
  const patch = await brkt('brkt', ['api', '-m', 'PATCH', '-u', '/settings?tx=evil', '-d', '{"motd":"planted"}'], { root: sandbox.root });
  expect(patch.code).toBe(1);
  expect(readdirSync(outside.root)).toEqual([]);

  // live/settings swapped for a link while the server runs: the commit is refused.
  expect((await brkt('brkt', ['api', '-m', 'PATCH', '-u', '/settings?tx=mine', '-d', '{"motd":"one","updates":{"seed":5}}'], { root: sandbox.root })).code).toBe(0);
  cpSync(`${datastore}/live/settings`, outside.root, { recursive: true });
  const before = snapshot(outside.root);
  rmSync(`${datastore}/live/settings`, { recursive: true });
  symlinkSync(outside.root, `${datastore}/live/settings`);
  const commit = await brkt('brkt', ['api', '-m', 'POST', '-u', '/tx/commit?tx=mine'], { root: sandbox.root });
  expect(commit.code).toBe(1);
  expect(commit.stderr).toContain('outside the root');
  expect(snapshot(outside.root)).toEqual(before);
});
