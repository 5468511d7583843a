// The check runner on real processes: exit codes, output tails, BRKT_ROOT, timeouts that also
// stop what a check started, and the window as the shared deadline.
import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { healthConfig } from './config';
import { runChecks } from './run-checks';

const sh = (script: string) => ['/bin/sh', '-c', script];

/** Whether `pid` is gone or a zombie, waiting up to a second for the kernel to finish the kill. */
async function stopped(pid: number): Promise<boolean> {
  const gone = () => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  for (const deadline = performance.now() + 1000; performance.now() < deadline; await Bun.sleep(10)) if (gone()) return true;
  return gone() === true;
}

describe('runChecks', () => {
  test('a check passes on exit 0 and fails on any other status, keeping its last lines', async () => {
    await using sandbox = await makeSandbox({ init: false });
    const dir = sandbox.path('out');
    const config = healthConfig({ checks: {
      ok: { command: sh('echo fine') },
      bad: { command: sh('for i in $(seq 1 30); do echo line $i; done; echo oops >&2; exit 3') },
    } });
    const results = await runChecks(sandbox.platform, config, dir);
    expect(results.map(r => [r.name, r.outcome, r.exitStatus])).toEqual([['bad', 'failed', 3], ['ok', 'passed', 0]]);
    expect(results[0]!.outputTail).toEqual([...Array.from({ length: 19 }, (_, i) => `line ${i + 12}`), 'oops']);
    expect(readFileSync(`${dir}/bad.log`, 'utf8')).toStartWith('line 1\n');
    expect(results[1]!.outputTail).toEqual(['fine']);
  });

  test('checks run without a shell and see BRKT_ROOT set to the root', async () => {
    await using sandbox = await makeSandbox({ init: false });
    const config = healthConfig({ checks: { env: { command: ['/usr/bin/env'] }, argv: { command: ['/bin/echo', '$HOME', 'a b'] } } });
    const [argv, env] = await runChecks(sandbox.platform, config, sandbox.path('out'));
    expect(argv!.outputTail).toEqual(['$HOME a b']);
    expect(env!.outputTail).toContain(`BRKT_ROOT=${sandbox.root}`);
  });

  test('a missing program and a check without a command fail', async () => {
    await using sandbox = await makeSandbox({ init: false });
    const config = healthConfig({ checks: { missing: { command: ['/nonexistent/check'] }, empty: {} } });
    const [empty, missing] = await runChecks(sandbox.platform, config, sandbox.path('out'));
    expect(empty).toMatchObject({ outcome: 'failed', exitStatus: null, outputTail: ['no command set (settings.boot-health.checks.<name>.command)'] });
    expect(missing).toMatchObject({ outcome: 'failed' });
    expect(missing!.exitStatus).not.toBe(0);
  });

  test('a hanging check is stopped at its timeout, with whatever it started', async () => {
    await using sandbox = await makeSandbox({ init: false });
    const pidFile = sandbox.path('child.pid');
    // The shell waits on a child; killing only the shell would leave the child running.
    const config = healthConfig({ checks: {
      hang: { command: sh(`echo started; sleep 30 & echo $! > ${pidFile}; wait`), 'timeout-seconds': 1 },
      quick: { command: sh('true'), 'timeout-seconds': 1 },
    } });
    const started = performance.now();
    const [hang, quick] = await runChecks(sandbox.platform, config, sandbox.path('out'));
    const elapsed = performance.now() - started;
    expect(hang).toMatchObject({ outcome: 'timed-out', exitStatus: null, stoppedBy: 'timeout', outputTail: ['started'] });
    expect(quick!.outcome).toBe('passed');
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(10_000);
    expect(await stopped(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });

  test('the window stops checks whose own timeout is later', async () => {
    await using sandbox = await makeSandbox({ init: false });
    const config = healthConfig({ 'window-seconds': 1, checks: {
      a: { command: sh('sleep 30'), 'timeout-seconds': 60 },
      b: { command: sh('sleep 30') },
    } });
    const started = performance.now();
    const results = await runChecks(sandbox.platform, config, sandbox.path('out'));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(results.map(r => [r.name, r.outcome, r.stoppedBy])).toEqual([['a', 'timed-out', 'window'], ['b', 'timed-out', 'window']]);
  });
});

describe('healthConfig', () => {
  test('defaults: 60 s per check, 300 s window, checks in name order', () => {
    expect(healthConfig(undefined)).toEqual({ checks: [], windowSeconds: 300 });
    expect(healthConfig({ checks: { b: { command: ['x'] }, a: { command: ['y'], 'timeout-seconds': 5 } } })).toEqual({
      checks: [{ name: 'a', command: ['y'], timeoutSeconds: 5 }, { name: 'b', command: ['x'], timeoutSeconds: 60 }],
      windowSeconds: 300,
    });
  });
});
