// `apiclient exec` (apiclient.md 8): runs a command in a host container through the API's
// `/exec` WebSocket, attached to this terminal (raw mode, resize) or to plain pipes.
import { BrktError } from '../../core/errors';
import { CLOSE_NORMAL, encodeArgument, MAX_MESSAGES_OUTSTANDING, type ClientMessage } from '../../core/exec/protocol';
import { writeErr } from '../output';

export interface ExecArgs {
  target: string;
  command: string[];
  /** Undefined: a TTY when stdin and stdout are both terminals. */
  tty?: boolean;
}

export function parseExec(args: string[]): ExecArgs {
  let tty: boolean | undefined;
  const words: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (words.length === 1 && !arg.startsWith('-')) break; // the command's first word: the rest is its own
    if (arg === '-t' || arg === '--tty') tty = true;
    else if (arg === '-T' || arg === '--no-tty') tty = false;
    else if (arg.startsWith('-')) throw new BrktError('usage', `Unknown argument '${arg}'`);
    else words.push(arg);
  }
  const rest = [...words, ...args.slice(i)];
  const [target, ...command] = rest;
  if (target === undefined) throw new BrktError('usage', `Missing required argument 'target'`);
  if (command.length === 0) throw new BrktError('usage', `Must specify a command for 'exec' to run.`);
  return { target, command, tty };
}

const terminalSize = () => ({ rows: process.stdout.rows ?? 24, cols: process.stdout.columns ?? 80 });

export async function runExec(socket: string, args: ExecArgs): Promise<number> {
  const tty = args.tty ?? Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const ws = new WebSocket(`ws+unix://${socket}:/exec`);
  ws.binaryType = 'arraybuffer';
  const send = (message: ClientMessage) => ws.send(JSON.stringify(message));
  let sent = 0;
  let written = 0;
  let paused = false;
  const stdin = process.stdin;
  const rawMode = tty && stdin.isTTY;

  const onData = (chunk: Buffer) => {
    ws.send(chunk);
    sent++;
    // Never more messages in flight than the server said it can hold.
    if (sent - written >= MAX_MESSAGES_OUTSTANDING && !paused) {
      paused = true;
      stdin.pause();
    }
  };
  const onEnd = () => {
    if (ws.readyState === WebSocket.OPEN) send('ContentComplete');
  };
  const onWinch = () => {
    if (ws.readyState === WebSocket.OPEN) send({ Winch: terminalSize() });
  };

  return new Promise<number>(resolve => {
    ws.onopen = () => {
      send({ Initialize: { command: args.command.map(encodeArgument) as unknown as string[], target: args.target, tty: tty ? { size: terminalSize() } : null } });
      if (rawMode) stdin.setRawMode(true);
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
      if (tty) process.on('SIGWINCH', onWinch);
    };
    ws.onmessage = event => {
      if (typeof event.data === 'string') {
        const message = JSON.parse(event.data) as { Capacity?: { messages_written: number } };
        if (message.Capacity) {
          written = message.Capacity.messages_written;
          if (paused && sent - written < MAX_MESSAGES_OUTSTANDING) {
            paused = false;
            stdin.resume();
          }
        }
        return;
      }
      process.stdout.write(new Uint8Array(event.data as ArrayBuffer));
    };
    ws.onclose = event => {
      if (rawMode) stdin.setRawMode(false);
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      process.off('SIGWINCH', onWinch);
      const code = Number(event.reason);
      if (event.code === CLOSE_NORMAL && event.reason !== '' && Number.isInteger(code)) return resolve(code);
      writeErr(`Failed to exec in '${args.target}': ${event.reason || `connection closed (code ${event.code})`}\n`);
      resolve(1);
    };
  });
}
