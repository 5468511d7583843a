// Writes to stdout/stderr through file descriptors: touching process.stdout costs ~10 ms at
// start-up in a compiled binary, more than the whole of `brkt --version`.
import { writeSync } from 'node:fs';

function writeAll(fd: number, text: string) {
  const bytes = Buffer.from(text);
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue; // a non-blocking pipe is full
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;   // reader went away (`| head`)
      throw error;
    }
  }
}

export const writeOut = (text: string) => writeAll(1, text);
export const writeErr = (text: string) => writeAll(2, text);

/** A minimal Writable for clipanion's context. */
export const stdoutWriter = { write: (chunk: string | Uint8Array) => (writeAll(1, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()), true) };
export const stderrWriter = { write: (chunk: string | Uint8Array) => (writeAll(2, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()), true) };
