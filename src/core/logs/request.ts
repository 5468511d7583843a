// One line of logdog's request language: `MODE FILENAME INSTRUCTIONS` (or `glob PATTERN`).
// Mirrors logdog's log_request.rs parsing, messages included.

export interface LogRequest {
  /** The line as written; error lines quote it. */
  line: string;
  mode: string;
  /** Empty for `glob`. */
  filename: string;
  /** The command, URL, source path or glob pattern. */
  instructions: string;
}

/** A request that cannot be run; its message goes into `logdog.errors`. */
export class RequestError extends Error {}

/** Archive names the bundle writes itself; a request may not overwrite them. */
export const RESERVED_NAMES = new Set(['logdog.errors', 'redactions']);

/**
 * Splits on single spaces into at most three parts, as upstream's `splitn(3, ' ')`: no trimming,
 * so a double space gives an empty token. `glob` takes the second token as its pattern and
 * ignores anything after it (patterns cannot contain spaces).
 */
export function parseRequest(line: string): LogRequest {
  const [mode = '', second, rest] = splitN(line, 3);
  if (mode === 'glob') {
    if (second === undefined) throw new RequestError(`The logdog configuration has a 'glob' line with no glob instructions.`);
    return { line, mode, filename: '', instructions: second };
  }
  if (second === undefined) throw new RequestError(`Output filename is missing in request: '${line}'`);
  return { line, mode, filename: second, instructions: rest ?? '' };
}

/** Upstream's Display: `MODE FILENAME` when there are no instructions, else all three. */
export function displayRequest(request: Pick<LogRequest, 'mode' | 'filename' | 'instructions'>): string {
  const { mode, filename, instructions } = request;
  return instructions === '' ? `${mode} ${filename}` : `${mode} ${filename} ${instructions}`;
}

/**
 * brkt: the output name must be one plain file name. Upstream joins it to the scratch directory
 * as given, so `../x` or `/x` would write outside it; here such a request is refused.
 */
export function checkOutputName(request: LogRequest): string {
  const name = request.filename;
  // A backslash or control character could not go into the archive (member-path.ts).
  if (name === '' || name === '.' || name === '..' || /[/\\\0-\x1f\x7f]/.test(name)) {
    throw new RequestError(`Output filename '${name}' is not a plain file name in request: '${request.line}'`);
  }
  if (RESERVED_NAMES.has(name)) throw new RequestError(`Output filename '${name}' is reserved for the bundle itself`);
  return name;
}

/** The lines of a request file that are requests: not empty, not a `#` comment. */
export function requestLines(text: string): string[] {
  return text.split(/\r?\n/).filter(line => line !== '' && !line.trimStart().startsWith('#'));
}

function splitN(text: string, limit: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (parts.length < limit - 1) {
    const space = text.indexOf(' ', start);
    if (space < 0) break;
    parts.push(text.slice(start, space));
    start = space + 1;
  }
  parts.push(text.slice(start));
  return parts;
}
