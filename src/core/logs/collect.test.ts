import { describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePlatform } from '../../platform';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { collectLogs } from './collect';
import { readTarGz } from './read-archive';

async function bundle(requests: string[], options: { timeoutMs?: number } = {}) {
  const dir = makeTempDir('brkt-logs-unit-');
  mkdirSync(dir.path('root'));
  const platform = makePlatform({ root: dir.path('root'), env: {} });
  const output = dir.path('out/logs.tar.gz');
  const result = await collectLogs(platform, { output, requests, ...options });
  const entries = await readTarGz(readFileSync(output));
  const text = (name: string) => new TextDecoder().decode(entries.find(entry => entry.name === `bottlerocket-logs/${name}`)!.content);
  return Object.assign(dir, { result, entries, text });
}

describe("logdog's own test vectors", () => {
  test('exec hello.txt echo hello world: the top directory comes first, hello.txt and logdog.errors are in', async () => {
    await using run = await bundle(['exec hello.txt echo hello world']);
    expect(run.entries[0]).toMatchObject({ name: 'bottlerocket-logs/', type: 'directory' });
    expect(run.entries.map(entry => entry.name)).toEqual([
      'bottlerocket-logs/', 'bottlerocket-logs/hello.txt', 'bottlerocket-logs/logdog.errors', 'bottlerocket-logs/redactions',
    ]);
    expect(run.text('hello.txt')).toBe('hello world\n');
    expect(run.text('logdog.errors')).toBe('');
  });

  test('quotes in an exec request follow shell rules', async () => {
    await using run = await bundle([`exec output-file.txt echo 'hello' "world!" "\\"quoted\\""`]);
    expect(run.text('output-file.txt')).toBe('hello world! "quoted"\n');
  });

  test('file foo-bar copies the source', async () => {
    await using run = await bundle([]);
    writeFileSync(run.path('root/foo-bar.source'), '123');
    const platform = makePlatform({ root: run.path('root'), env: {} });
    await collectLogs(platform, { output: run.path('second.tar.gz'), requests: ['file foo-bar /foo-bar.source'] });
    const entries = await readTarGz(readFileSync(run.path('second.tar.gz')));
    expect(new TextDecoder().decode(entries.find(entry => entry.name === 'bottlerocket-logs/foo-bar')!.content)).toBe('123');
  });

  test('a bare glob is an error line', async () => {
    await using run = await bundle(['glob']);
    expect(run.text('logdog.errors')).toBe(`Error running command 'glob': 'The logdog configuration has a 'glob' line with no glob instructions.'\n`);
  });
});

describe('failures are lines in logdog.errors, in run order, and never stop the bundle', () => {
  test('unknown modes, missing programs, missing files, and a failing exit status that is no error', async () => {
    await using run = await bundle([
      'bogus thing',
      'exec empty-output nonexistent-program-for-brkt',
      'exec failing sh -c "echo out; echo err >&2; exit 3"',
      'file missing /no/such/file',
      'exec',
      'exec nothing',
      'http no-url',
    ]);
    expect(run.result.errors).toEqual([
      `Error running command 'bogus thing': 'Unknown request type 'bogus' in 'bogus thing''`,
      expect.stringMatching(/^Error running command 'exec empty-output nonexistent-program-for-brkt': 'Failed to run 'nonexistent-program-for-brkt': /),
      `Error running command 'file missing /no/such/file': 'Unable to copy '/no/such/file': no such file'`,
      `Error running command 'exec': 'Output filename is missing in request: 'exec''`,
      `Error running command 'exec nothing': 'The request has no command: 'exec nothing''`,
      `Error running command 'http no-url': 'The request has no URL: 'http no-url''`,
    ]);
    expect(run.text('logdog.errors')).toBe(run.result.errors.map(line => line + '\n').join(''));
    expect(run.text('empty-output')).toBe(''); // created before the spawn, as upstream
    expect(run.text('failing')).toBe('out\nerr\n'); // stdout and stderr share the file
  });

  test('a hung command is cut off by its timeout and keeps its partial output', async () => {
    const started = performance.now();
    await using run = await bundle(['exec hung sh -c "echo started; sleep 60"', 'exec after echo still runs'], { timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(run.result.errors).toEqual([`Error running command 'exec hung sh -c "echo started; sleep 60"': 'timed out after 0.3s'`]);
    expect(run.text('hung')).toBe('started\n');
    expect(run.text('after')).toBe('still runs\n');
  });

  test('a file request cannot read through a link out of the root', async () => {
    await using run = await bundle([]);
    writeFileSync(run.path('secret'), 'secret');
    symlinkSync(run.path('secret'), run.path('root/leak'));
    const platform = makePlatform({ root: run.path('root'), env: {} });
    const result = await collectLogs(platform, { output: run.path('second.tar.gz'), requests: ['file leak /leak', 'file up /../secret'] });
    expect(result.errors).toEqual([
      `Error running command 'file leak /leak': 'Refusing '/leak': it resolves to '${run.path('secret')}', outside the root'`,
      `Error running command 'file up /../secret': 'Refusing path /../secret: it leaves the root ${run.path('root')}'`,
    ]);
    const entries = await readTarGz(readFileSync(run.path('second.tar.gz')));
    expect(entries.some(entry => new TextDecoder().decode(entry.content).includes('secret') && !entry.name.endsWith('logdog.errors'))).toBe(false);
  });
});

test('the scratch directory is removed afterwards', async () => {
  // A program's stdout is its output file in the scratch directory: ask it where that is.
  await using run = await bundle(['exec where readlink /proc/self/fd/1']);
  const scratchFile = run.text('where').trim();
  expect(scratchFile).toEndWith('/where');
  expect(existsSync(dirname(scratchFile))).toBe(false);
});

test('a glob match is archived from where it is, unless a request output already took its path', async () => {
  await using run = await bundle([]);
  mkdirSync(run.path('root/var/log/app'), { recursive: true });
  writeFileSync(run.path('root/var/log/app/a.log'), 'a');
  const platform = makePlatform({ root: run.path('root'), env: {} });
  const result = await collectLogs(platform, { output: run.path('second.tar.gz'), requests: ['exec var echo mine', 'glob /var/log/app/*'] });
  expect(result.errors).toEqual([`Error running command 'glob /var/log/app/*': 'Skipped '/var/log/app/a.log': the bundle already has 'var' from another request'`]);
  const entries = await readTarGz(readFileSync(run.path('second.tar.gz')));
  expect(entries.map(entry => entry.name)).toEqual(['bottlerocket-logs/', 'bottlerocket-logs/logdog.errors', 'bottlerocket-logs/redactions', 'bottlerocket-logs/var']);
});
