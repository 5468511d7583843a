// `brkt settings get` prints output a terminal and a line-reading script can trust: a value can
// neither forge another key=value line nor send escape sequences to the terminal.
import { expect, test } from 'bun:test';
import { brkt } from '../helpers/brkt';
import { startApiServer } from '../helpers/api-server';

const HOSTILE_MOTD = 'hi\nupdates.seed=1\n\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202eevil';

test('a hostile motd stays on its own line, escaped; --json stays exact', async () => {
  await using fixture = await startApiServer({ variant: 'aws-dev' });
  expect((await fixture.request('PATCH', '/settings', JSON.stringify({ motd: HOSTILE_MOTD }))).status).toBe(204);
  expect((await fixture.request('POST', '/tx/commit')).status).toBe(200);
  const run = (args: string[]) => brkt('brkt', ['settings', ...args, '--socket', fixture.socket], { root: fixture.sandbox.root });

  const all = await run(['get']);
  expect(all.code).toBe(0);
  // No control character but the line ends, no bidirectional override, no separator.
  expect(all.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e\u2028\u2029]/);
  const lines = all.stdout.trimEnd().split('\n');
  // Every line is one setting, named once, and no line claims updates.seed.
  expect(lines.filter(line => line.startsWith('updates.seed='))).toEqual([]);
  expect(lines.map(line => line.slice(0, line.indexOf('=')))).toEqual([...new Set(lines.map(line => line.slice(0, line.indexOf('='))))]);
  const motdLine = lines.find(line => line.startsWith('motd='))!;
  expect(JSON.parse(motdLine.slice('motd='.length))).toBe(HOSTILE_MOTD);

  expect(await run(['get', 'motd'])).toEqual({ stdout: `motd=${motdLine.slice('motd='.length)}\n`, stderr: '', code: 0 });
  const json = await run(['get', 'motd', '--json']);
  expect(JSON.parse(json.stdout)).toEqual({ motd: HOSTILE_MOTD });
});

test('plain values stay readable', async () => {
  await using fixture = await startApiServer({ variant: 'aws-dev' });
  const result = await brkt('brkt', ['settings', 'get', 'motd', 'ntp', '--socket', fixture.socket], { root: fixture.sandbox.root });
  expect(result).toEqual({ stdout: 'motd=Welcome to Bottlerocket!\nntp.time-servers=["169.254.169.123","2.amazon.pool.ntp.org"]\n', stderr: '', code: 0 });
});
