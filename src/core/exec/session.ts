// One `/exec` connection on the server (api.md 9): Initialize starts the command in the target
// host container's task, stdin frames are written with capacity updates, Winch resizes, pings
// every 2 s and a client silent for 10 s is dead: its process is killed.
import { messageOf } from '../errors';
import type { ExecProcess } from '../../platform/container-types';
import type { Platform, WebSocketPeer, WebSocketSession } from '../../platform/types';
import {
  CAPACITY_EVERY, CLIENT_TIMEOUT_MS, CLOSE_ERROR, CLOSE_GOING_AWAY, CLOSE_NORMAL, CLOSE_POLICY,
  MAX_MESSAGES_OUTSTANDING, parseClientMessage, PING_INTERVAL_MS, type Capacity, type Initialize,
} from './protocol';

export interface SessionTiming {
  pingIntervalMs: number;
  clientTimeoutMs: number;
}

export function execSession(platform: Platform, log: (line: string) => void = () => {}, timing: SessionTiming = { pingIntervalMs: PING_INTERVAL_MS, clientTimeoutMs: CLIENT_TIMEOUT_MS }): WebSocketSession {
  let peer: WebSocketPeer | undefined;
  let process: ExecProcess | undefined;
  let starting = false;
  let finished = false;
  let written = 0;
  let lastHeard = Date.now();
  let pinger: ReturnType<typeof setInterval> | undefined;
  const pending: Uint8Array[] = [];
  let inputDone = false;

  const finish = (code: number, reason: string) => {
    if (finished) return;
    finished = true;
    clearInterval(pinger);
    peer?.close(code, reason);
  };

  const writeInput = (data: Uint8Array) => {
    process!.write(data);
    written++;
    if (written % CAPACITY_EVERY === 0) {
      const capacity: Capacity = { max_messages_outstanding: MAX_MESSAGES_OUTSTANDING, messages_written: written };
      peer?.send(JSON.stringify({ Capacity: capacity }));
    }
  };

  async function start(init: Initialize) {
    starting = true;
    try {
      const runtime = platform.containers;
      if (!(await runtime.isActive())) throw new Error(`the host containerd is not running (${runtime.socket})`);
      const status = await runtime.taskStatus(init.target);
      if (status !== 'running') throw new Error(`Target '${init.target}' is not a running host container`);
      process = await runtime.exec(init.target, init.command, {
        tty: init.tty?.size,
        onOutput: data => {
          if (!finished) peer?.send(data);
        },
      });
    } catch (error) {
      finish(CLOSE_ERROR, oneLine(messageOf(error)));
      return;
    }
    log(`apiserver: exec in ${init.target}: ${init.command.join(' ')}`);
    for (const data of pending.splice(0)) writeInput(data);
    if (inputDone) process.closeInput();
    void process.exited.then(code => finish(CLOSE_NORMAL, String(code)));
  }

  return {
    open(connection) {
      peer = connection;
      pinger = setInterval(() => {
        if (Date.now() - lastHeard > timing.clientTimeoutMs) {
          log('apiserver: exec client stopped answering; ending its process');
          process?.kill();
          finish(CLOSE_GOING_AWAY, 'client timed out');
          return;
        }
        peer?.ping();
      }, timing.pingIntervalMs);
    },
    message(data) {
      lastHeard = Date.now();
      if (finished) return;
      if (typeof data !== 'string') {
        if (!starting) return finish(CLOSE_POLICY, 'data before Initialize');
        if (process) writeInput(data);
        else pending.push(data);
        return;
      }
      let message;
      try {
        message = parseClientMessage(data);
      } catch (error) {
        return finish(CLOSE_POLICY, oneLine(messageOf(error)));
      }
      if (typeof message === 'object' && 'Initialize' in message) {
        if (starting) return finish(CLOSE_POLICY, 'Initialize sent twice');
        void start(message.Initialize);
      } else if (!starting) finish(CLOSE_POLICY, 'the first message must be Initialize');
      else if (message === 'ContentComplete') {
        inputDone = true;
        process?.closeInput();
      } else process?.resize(message.Winch.rows, message.Winch.cols);
    },
    pong() {
      lastHeard = Date.now();
    },
    closed() {
      clearInterval(pinger);
      if (!finished) {
        finished = true;
        process?.kill();
      }
    },
  };
}

/** Close reasons are at most 123 bytes (RFC 6455 5.5). */
function oneLine(text: string): string {
  const line = text.split('\n')[0]!;
  const bytes = new TextEncoder().encode(line);
  return bytes.length <= 123 ? line : new TextDecoder().decode(bytes.slice(0, 120)).replace(/\uFFFD+$/, '') + '...';
}
