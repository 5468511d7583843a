// Tests that need a Debian tool or root. Outside CI a missing tool skips them, saying why; under
// CI=true (.ci/run installs every tool) each of them is a failing test naming the tool, and the
// file's other tests still run. A test that needs root is skipped with the reason printed.
import { test } from 'bun:test';

type TestFn = typeof test;

export const isRoot = process.geteuid?.() === 0;

const reported = new Set<string>();

/** Prints `line` once per run of a test file. */
function reportOnce(line: string) {
  if (reported.has(line)) return;
  reported.add(line);
  console.warn(line);
}

/**
 * A stand-in for `test` whose every form (`t(name, fn)`, `.concurrent`, `.serial`, `.only`,
 * `.skipIf(c)`, `.if(c)`, `.each(rows)`) registers the test through `register` instead, so a
 * chain that works on `test` works here too and nothing throws while the file loads.
 */
function standIn(register: (name: string) => void): TestFn {
  const conditions = new Set(['skipIf', 'if', 'todoIf', 'failingIf']);
  const proxy: TestFn = new Proxy(function () {} as unknown as TestFn, {
    apply: (_target, _this, args: unknown[]) => register(String(args[0])),
    get: (_target, property) => {
      if (conditions.has(property as string)) return () => proxy;
      if (property === 'each') {
        return (rows: unknown[]) => (name: string) => rows.forEach((_, index) => register(`${name} [row ${index}]`));
      }
      return proxy;
    },
  });
  return proxy;
}

/** Tests that each fail with `reason` (so a CI run cannot pass without what they need). */
function failingTests(reason: string): TestFn {
  return standIn(name =>
    test(`${name} (${reason})`, () => {
      throw new Error(reason);
    }),
  );
}

/** Tests that are skipped, their names saying why, and the reason printed once. */
function skippedTests(reason: string): TestFn {
  return standIn(name => {
    reportOnce(`skipping tests that ${reason}`);
    test.skip(`${name} (skipped: ${reason})`, () => undefined);
  });
}

/** `test`, or (when `tool` is missing) failing tests under CI=true and skipped ones elsewhere. */
export function withTool(tool: string, base: TestFn = test): TestFn {
  if (Bun.which(tool)) return base;
  if (process.env.CI === 'true') return failingTests(`${tool} is not installed; .ci/run must install it`);
  return skippedTests(`need ${tool}: it is not installed (apt-get install the package that provides it)`);
}

/** `base` when running as root, else skipped tests that say they need root. */
export function asRoot(base: TestFn = test): TestFn {
  if (isRoot) return base;
  return skippedTests(`need root: running as uid ${process.geteuid?.()}`);
}
