// Tests that need a Debian tool: skipped with a printed reason when it is missing, except in CI
// (CI=true), where a missing tool must fail the run because .ci/run installs it.
import { test } from 'bun:test';

const reported = new Set<string>();

/** `test`, or a skipping `test` when `tool` is missing outside CI. */
export function withTool(tool: string): typeof test {
  if (Bun.which(tool)) return test;
  if (process.env.CI === 'true') {
    const failing = ((name: string) =>
      test(name, () => {
        throw new Error(`${tool} is not installed; .ci/run must install it`);
      })) as unknown as typeof test;
    return failing;
  }
  if (!reported.has(tool)) {
    reported.add(tool);
    console.warn(`skipping tests that need ${tool}: it is not installed (apt-get install the package that provides it)`);
  }
  return test.skip;
}
