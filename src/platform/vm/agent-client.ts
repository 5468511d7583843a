// The host side of the agent channel: qemu's pipe chardev `<agent>.in` / `<agent>.out`. One
// client at a time (a lock file); frames of other sessions (a client that died, a command from
// before a reboot) are skipped. The input FIFO is opened read-write so opening never blocks.
import { closeSync, openSync, writeSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { BrktError } from '../../core/errors';
import { encodeFrame, encodeJsonFrame, FRAME, frameJson, FrameReader, type Frame } from '../../core/vm/agent-protocol';
import { makePlatform } from '../index';
import type { FileLock } from '../types';

export interface AgentClient {
  /** The guest's boot id, once the agent answers; undefined after `timeoutMs`. */
  ping(timeoutMs: number): Promise<string | undefined>;
  /** Runs `argv` in the guest; output goes to the callbacks. Exit code, or `rebooted` when the guest rebooted meanwhile. */
  exec(argv: string[], bootId: string, output: { stdout(data: Uint8Array): void; stderr(data: Uint8Array): void }): Promise<number | 'rebooted'>;
  apiReady(timeoutMs: number): Promise<{ ready: boolean; detail: string } | undefined>;
  close(): void;
}

export async function openAgent(agentPath: string, lockPath: string): Promise<AgentClient> {
  const lock = await waitForLock(lockPath);
  const input = openSync(`${agentPath}.in`, 'r+');
  // A blocking read of a FIFO would keep this process alive after close(): a child reads it.
  const cat = Bun.spawn({ cmd: ['cat', `${agentPath}.out`], stdin: 'ignore', stdout: 'pipe', stderr: 'ignore' });
  const reader = new FrameReader();
  let waiter: ((frame: Frame) => void) | undefined;
  const queue: Frame[] = [];
  void (async () => {
    for await (const chunk of cat.stdout) {
      for (const frame of reader.push(chunk)) {
        if (waiter) waiter(frame);
        else queue.push(frame);
      }
    }
  })().catch(() => {});
  const next = (timeoutMs?: number) =>
    new Promise<Frame | undefined>(resolve => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      waiter = frame => {
        waiter = undefined;
        if (timer) clearTimeout(timer);
        resolve(frame);
      };
    });
  const send = (frame: Uint8Array) => {
    writeSync(input, frame);
  };
  /** Frames of `session` until `accept` says done; undefined on timeout. */
  async function until<T>(session: number, deadline: number | undefined, accept: (frame: Frame) => T | undefined): Promise<T | undefined> {
    for (;;) {
      const left = deadline === undefined ? undefined : deadline - Date.now();
      if (left !== undefined && left <= 0) return undefined;
      const frame = await next(left);
      if (!frame) return undefined;
      const result = accept(frame);
      if (result !== undefined) return result;
    }
  }
  const newSession = () => randomInt(1, 0x7fffffff);
  return {
    async ping(timeoutMs) {
      const session = newSession();
      send(encodeFrame(FRAME.ping, session));
      return until(session, Date.now() + timeoutMs, frame => (frame.type === FRAME.hello && frame.session === session ? frameJson<{ bootId: string }>(frame).bootId : undefined));
    },
    async exec(argv, bootId, out) {
      const session = newSession();
      send(encodeJsonFrame(FRAME.exec, session, { argv, bootId }));
      const result = await until<number | 'rebooted'>(session, undefined, frame => {
        // The agent of a new boot greets unasked: the command's boot is gone.
        if (frame.type === FRAME.hello && frameJson<{ bootId: string }>(frame).bootId !== bootId) return 'rebooted';
        if (frame.session !== session) return undefined;
        if (frame.type === FRAME.stdout) out.stdout(frame.payload);
        else if (frame.type === FRAME.stderr) out.stderr(frame.payload);
        else if (frame.type === FRAME.exit) return frameJson<{ code: number }>(frame).code;
        return undefined;
      });
      return result!;
    },
    async apiReady(timeoutMs) {
      const session = newSession();
      send(encodeFrame(FRAME.apiCheck, session));
      return until(session, Date.now() + timeoutMs, frame => (frame.type === FRAME.apiStatus && frame.session === session ? frameJson<{ ready: boolean; detail: string }>(frame) : undefined));
    },
    close() {
      cat.kill('SIGKILL');
      closeSync(input);
      lock.release();
    },
  };
}

export function agentUnavailable(dir: string): BrktError {
  return new BrktError('unavailable', `The agent of the VM in ${dir} does not answer`);
}

/** The channel carries one client at a time: wait for the one before to finish. */
async function waitForLock(path: string): Promise<FileLock> {
  for (;;) {
    const lock = await makePlatform({ root: '/', env: {} }).lockFile(path, 'exclusive');
    if (lock) return lock;
    await Bun.sleep(50);
  }
}
