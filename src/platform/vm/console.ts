// `brkt dev vm console`: the serial console's socket joined to the terminal (raw mode), Ctrl-]
// detaches.
import { connect } from 'node:net';
import type { Writable } from 'node:stream';
import { BrktError } from '../../core/errors';
import { vmOf } from './machine';
import { runningPid } from './qemu';

export async function attachConsole(dir: string, stdout: Writable): Promise<number> {
  const { files } = await vmOf(dir);
  if (!(await runningPid(files.pid))) throw new BrktError('conflict', `The VM in ${files.dir} is not running: start it with brkt dev vm start ${dir}`);
  return new Promise((resolve, reject) => {
    const socket = connect(files.console);
    const stdin = process.stdin;
    const done = (code: number) => {
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      socket.destroy();
      resolve(code);
    };
    socket.on('error', error => reject(new BrktError('unavailable', `Cannot attach to the console of ${files.dir}: ${error.message}`)));
    socket.on('connect', () => {
      stdout.write('Attached to the serial console; Ctrl-] detaches.\r\n');
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.on('data', (data: Buffer) => {
        if (data.includes(0x1d)) return done(0);
        socket.write(data);
      });
      stdin.on('end', () => done(0));
    });
    socket.on('data', data => stdout.write(data));
    socket.on('close', () => done(0));
  });
}
