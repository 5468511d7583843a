// `brkt reboot` signals only this root's serving `brkt boot --serve`, and a datastore is served
// by one API server at a time, through the compiled binary.
import { expect, test } from 'bun:test';
import { existsSync, writeFileSync } from 'node:fs';
import { brkt } from '../helpers/brkt';
import { spawnBoot } from '../helpers/boot-process';
import { makeSandbox } from '../helpers/sandbox';

/** A real unrelated process, even one whose command line says `boot --serve`; killed at scope end. */
function unrelatedProcess() {
  const child = Bun.spawn({ cmd: ['sh', '-c', 'sleep 1000; :', 'boot', '--serve'], stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
  return {
    child,
    async [Symbol.asyncDispose]() {
      child.kill('SIGKILL');
      await child.exited;
    },
  };
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test.concurrent('a forged pid of an unrelated process is not signalled: the bootloader step runs instead', async () => {
  await using sandbox = await makeSandbox();
  await using victim = unrelatedProcess();
  writeFileSync(sandbox.path('run/brkt-boot.pid'), `${victim.child.pid}\n`);
  const reboot = await brkt('brkt', ['reboot'], { root: sandbox.root });
  expect(reboot).toEqual({ code: 0, stdout: "Booted set A, version 1.0.0; 'brkt boot' starts it\n", stderr: '' });
  expect([victim.child.exitCode, victim.child.signalCode, isAlive(victim.child.pid)]).toEqual([null, null, true]);
});

test.concurrent('the serving boot of another root is not signalled; this root\'s is', async () => {
  await using served = await makeSandbox();
  await using other = await makeSandbox();
  await using boot = spawnBoot(served.root, ['--serve']);
  await boot.waitForLine('boot: serving the API on');
  // The pid of a real `brkt boot --serve`, but one serving another root.
  writeFileSync(other.path('run/brkt-boot.pid'), `${boot.child.pid}\n`);
  expect(await brkt('brkt', ['reboot'], { root: other.root })).toEqual({ code: 0, stdout: "Booted set A, version 1.0.0; 'brkt boot' starts it\n", stderr: '' });
  expect(boot.lines.some(line => line.text.startsWith('reboot:'))).toBe(false);

  const reboot = await brkt('brkt', ['reboot'], { root: served.root });
  expect(reboot).toEqual({ code: 0, stdout: `Rebooting: the serving brkt boot (pid ${boot.child.pid}) boots again\n`, stderr: '' });
  await boot.waitForLine('boot: serving the API on', 2);
});

test.concurrent('a second API server on the same datastore is refused with one line and exit 1', async () => {
  await using sandbox = await makeSandbox();
  await using boot = spawnBoot(sandbox.root, ['--serve']);
  await boot.waitForLine('boot: serving the API on');
  const datastore = sandbox.path('var/lib/bottlerocket/datastore/current');
  const second = await brkt('brkt', ['apiserver', '--socket', sandbox.path('run/second.sock')], { root: sandbox.root });
  expect(second).toEqual({ code: 1, stdout: '', stderr: `brkt apiserver: Another API server is already serving the datastore at ${datastore}\n` });
  // Upstream's role, naming the datastore by another path through the version links.
  const upstream = await brkt('apiserver', ['--datastore-path', '/var/lib/bottlerocket/datastore/v1', '--socket-path', '/run/third.sock'], { root: sandbox.root });
  expect(upstream.code).toBe(1);
  expect(upstream.stderr).toMatch(/^apiserver: Another API server is already serving the datastore at .*\n$/);
  expect([existsSync(sandbox.path('run/second.sock')), existsSync(sandbox.path('run/third.sock'))]).toEqual([false, false]);
  // The first one still serves.
  expect((await brkt('brkt', ['settings', 'get', 'motd'], { root: sandbox.root })).code).toBe(0);
  // Once it stops, a server may start again.
  boot.child.kill('SIGTERM');
  await boot.finished;
  const third = Bun.spawn({ cmd: [process.env.BRKT_BIN ?? `${import.meta.dir}/../../dist/brkt`, 'apiserver'], env: { ...process.env, BRKT_ROOT: sandbox.root }, stdout: 'ignore', stderr: 'pipe' });
  try {
    const decoder = new TextDecoder();
    let said = '';
    for await (const chunk of third.stderr) {
      said += decoder.decode(chunk);
      if (said.includes('serving the API')) break;
    }
    expect(said).toContain('apiserver: serving the API on');
  } finally {
    third.kill('SIGTERM');
    await third.exited;
  }
});
