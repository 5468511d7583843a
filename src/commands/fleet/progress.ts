// The live progress line of fleet commands: rewritten in place on stderr, and only when
// stderr is a terminal, so logs and pipes get the final table alone.
import { writeErr } from '../output';

export interface ProgressLine {
  show(text: string): void;
  /** Ends the line (keeps it visible when `keep`, else clears it). */
  end(keep?: boolean): void;
}

/** Loads node:tty only here: it pulls in node:net, ~9 ms that `--help` should not pay. */
export async function progressLine(): Promise<ProgressLine> {
  const { isatty } = await import('node:tty');
  if (!isatty(2)) return { show() {}, end() {} };
  let shown = false;
  return {
    show(text) {
      writeErr(`\r\x1b[K${text}`);
      shown = true;
    },
    end(keep = false) {
      if (shown) writeErr(keep ? '\n' : '\r\x1b[K');
      shown = false;
    },
  };
}
