// withTool and asRoot in a real `bun test` run of a generated test file: under CI=true a missing
// tool is one failing test per use, naming the tool, and the file's other tests still run.
import { describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './sandbox';

const TOOLS = join(import.meta.dir, 'tools.ts');
const MISSING = 'no-such-tool-brkt';

const FILE = `
import { expect, test } from 'bun:test';
import { asRoot, withTool } from ${JSON.stringify(TOOLS)};
withTool('${MISSING}')('plain', () => {});
withTool('${MISSING}').concurrent('concurrent', () => {});
withTool('${MISSING}').skipIf(false).concurrent('chained', () => {});
withTool('${MISSING}').each([1, 2])('each %p', () => {});
asRoot(withTool('${MISSING}'))('root and tool', () => {});
withTool('sh').concurrent('a present tool runs', () => expect(1).toBe(1));
test('an ordinary test still runs', () => expect(1).toBe(1));
`;

async function runBunTest(env: Record<string, string>) {
  await using dir = makeTempDir();
  writeFileSync(dir.path('probe.test.ts'), FILE);
  const proc = Bun.spawn({ cmd: [process.execPath, 'test', './probe.test.ts'], cwd: dir.root, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir.root, NO_COLOR: '1', ...env }, stdout: 'pipe', stderr: 'pipe' });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { output: stdout + stderr, code };
}

const isRoot = process.geteuid?.() === 0;

describe('withTool', () => {
  test('under CI=true a missing tool fails each of its tests by name; the others run', async () => {
    const { output, code } = await runBunTest({ CI: 'true' });
    expect(code).toBe(1);
    const reason = `${MISSING} is not installed; .ci/run must install it`;
    for (const name of ['plain', 'concurrent', 'chained', 'each %p [row 0]', 'each %p [row 1]']) expect(output).toContain(`(fail) ${name} (${reason})`);
    expect(output).toContain(isRoot ? `(fail) root and tool (${reason})` : '(skip) root and tool (skipped: need root');
    expect(output).toContain('(pass) a present tool runs');
    expect(output).toContain('(pass) an ordinary test still runs');
  });

  test('outside CI a missing tool skips its tests, saying why', async () => {
    const { output, code } = await runBunTest({ CI: '' });
    expect(code).toBe(0);
    expect(output).toContain(`skipping tests that need ${MISSING}: it is not installed`);
    expect(output).toContain(`(skip) concurrent (skipped: need ${MISSING}: it is not installed`);
    expect(output).toContain('(pass) an ordinary test still runs');
  });
});
