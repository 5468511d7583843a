// host-ctr (boot-config.md 4.3): runs one host or bootstrap container on the host containerd.
// Pull with retries, create the container or adopt an existing one, start its task or keep
// monitoring the running one; when asked to stop, SIGTERM, 20 s, SIGKILL; then clean up.
import { BrktError, messageOf } from '../errors';
import type { ContainerRuntime } from '../../platform/container-types';
import type { Platform } from '../../platform/types';
import { containerIdOf, containerSpec, type ContainerType } from './container-spec';

export interface RunOptions {
  name: string;
  source: string;
  superpowered: boolean;
  type: ContainerType;
  /** Skip the pull when the image is already there (`--use-cached-image`). */
  useCachedImage: boolean;
}

export interface Timing {
  /** Pull retries and the first back-off (upstream: 5 retries from 1 s, doubling, with jitter). */
  pullRetries: number;
  pullBackoffMs: number;
  /** Between SIGTERM and SIGKILL. */
  stopGraceMs: number;
}

export const UPSTREAM_TIMING: Timing = { pullRetries: 5, pullBackoffMs: 1000, stopGraceMs: 20_000 };

/** Resolves when `signal` aborts. */
const aborted = (signal: AbortSignal) => new Promise<void>(resolve => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

/** Waits `ms` or until `signal` aborts, whichever is first, leaving no timer behind. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function pullWithRetries(runtime: ContainerRuntime, source: string, timing: Timing, signal: AbortSignal, log: (line: string) => void) {
  for (let attempt = 0; ; attempt++) {
    try {
      await runtime.pull(source);
      return;
    } catch (error) {
      if (attempt >= timing.pullRetries || signal.aborted) throw new BrktError('io', `Failed to pull ${source}: ${messageOf(error)}`, { cause: error });
      const delay = timing.pullBackoffMs * 2 ** attempt * (0.5 + Math.random() / 2);
      log(`host-ctr: pull of ${source} failed (${messageOf(error)}); retrying in ${Math.round(delay)} ms`);
      await pause(delay, signal);
    }
  }
}

/**
 * Runs the container until its task exits (its status is returned) or `signal` aborts (the
 * container is stopped and 0 returned). The task and container are deleted either way.
 */
export async function runHostContainer(platform: Platform, options: RunOptions, signal: AbortSignal, timing: Timing, log: (line: string) => void): Promise<number> {
  const runtime = platform.containers;
  const id = containerIdOf(options.name, options.type);
  if (!(options.useCachedImage && (await runtime.hasImage(options.source)))) {
    await pullWithRetries(runtime, options.source, timing, signal, log);
  }
  if (signal.aborted) return 0;
  let task;
  if ((await runtime.containerImage(id)) === undefined) {
    task = await runtime.run(await containerSpec(platform, { name: options.name, type: options.type, source: options.source, superpowered: options.superpowered }));
    log(`host-ctr: created container ${id} from ${options.source} and started its task`);
  } else {
    const status = await runtime.taskStatus(id);
    if (status !== undefined && status !== 'running') await runtime.deleteTask(id); // a dead task from an earlier run
    task = await runtime.startOrAttach(id, status === 'running');
    log(`host-ctr: adopted the existing container ${id}; ${status === 'running' ? 'monitoring its running' : 'started its'} task`);
  }
  const outcome = await Promise.race([task.exited.then(code => ({ code })), aborted(signal).then(() => undefined)]);
  let code = 0;
  if (outcome) {
    code = outcome.code;
    log(`host-ctr: the task of ${id} exited with ${code}`);
  } else {
    log(`host-ctr: stopping ${id}: SIGTERM`);
    await runtime.kill(id, 'SIGTERM');
    const stopped = new AbortController();
    void task.exited.then(() => stopped.abort());
    await pause(timing.stopGraceMs, stopped.signal);
    if (!stopped.signal.aborted) {
      log(`host-ctr: ${id} did not stop within ${timing.stopGraceMs / 1000} s: SIGKILL`);
      await runtime.kill(id, 'SIGKILL');
      await task.exited;
    }
  }
  await cleanUp(runtime, id);
  return code;
}

/** `host-ctr clean-up`: kill and delete the task and the container if present; absent is success. */
export async function cleanUp(runtime: ContainerRuntime, id: string): Promise<void> {
  await runtime.deleteTask(id);
  await runtime.deleteContainer(id);
}
