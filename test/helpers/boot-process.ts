// A `brkt boot` child whose output is read line by line as it arrives, so that a test can wait
// for a boot step's log line, or act right after one, without polling or sleeping.
import { BRKT_BIN, testEnv } from './brkt';

export interface BootLine {
  text: string;
  /** performance.now() when the line reached the test. */
  at: number;
}

export interface BootProcess extends AsyncDisposable {
  readonly child: Bun.Subprocess<'ignore', 'pipe', 'pipe'>;
  /** Complete stdout lines so far, in order. */
  readonly lines: BootLine[];
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** The line in which `text` appears for the `count`-th time; rejects when the boot ends before. */
  waitForLine(text: string, count?: number): Promise<BootLine>;
  /** Both streams drained and the process gone. */
  readonly finished: Promise<void>;
}

interface Waiter {
  text: string;
  count: number;
  resolve(line: BootLine): void;
  reject(error: Error): void;
}

/** Starts `brkt boot ARGS...` on `root` (`--serve` keeps it running until SIGTERM). */
export function spawnBoot(root: string, args: string[] = []): BootProcess {
  const child = Bun.spawn({ cmd: [BRKT_BIN, 'boot', ...args], env: { ...testEnv, BRKT_ROOT: root }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  const lines: BootLine[] = [];
  let stdout = '';
  let stderr = '';
  let waiters: Waiter[] = [];
  const matching = (text: string) => lines.filter(line => line.text.includes(text));
  const settle = () => {
    waiters = waiters.filter(waiter => {
      const found = matching(waiter.text)[waiter.count - 1];
      if (found) waiter.resolve(found);
      return !found;
    });
  };
  const readStdout = async () => {
    const decoder = new TextDecoder();
    let partial = '';
    for await (const chunk of child.stdout) {
      const text = decoder.decode(chunk, { stream: true });
      stdout += text;
      const parts = (partial + text).split('\n');
      partial = parts.pop()!;
      const at = performance.now();
      for (const part of parts) lines.push({ text: part, at });
      settle();
    }
  };
  const readStderr = async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk, { stream: true });
  };
  const finished = Promise.all([readStdout(), readStderr(), child.exited]).then(() => {
    const why = child.signalCode ? `killed by ${child.signalCode}` : `exit ${child.exitCode}`;
    for (const waiter of waiters) waiter.reject(new Error(`brkt boot ended (${why}) before logging '${waiter.text}' ${waiter.count} time(s):\n${stdout}${stderr}`));
    waiters = [];
  });
  finished.catch(() => undefined);
  return {
    child,
    lines,
    output: () => stdout + stderr,
    finished,
    waitForLine(text, count = 1) {
      const found = matching(text)[count - 1];
      if (found) return Promise.resolve(found);
      if (child.exitCode !== null || child.signalCode !== null) {
        return finished.then(() => matching(text)[count - 1] ?? Promise.reject(new Error(`brkt boot ended before logging '${text}' ${count} time(s):\n${stdout}${stderr}`)));
      }
      return new Promise<BootLine>((resolve, reject) => waiters.push({ text, count, resolve, reject }));
    },
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await finished;
    },
  };
}
