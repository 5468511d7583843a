// Reads what `selectSource` chose: stdin, base64 data, a file, http(s) within the apply limits,
// and the AWS schemes through the SDK (settings-now.md 3.3). Messages are apiclient's.
import { readFile } from 'node:fs/promises';
import { BrktError, messageOf } from '../core/errors';
import { decodeBase64Strict, selectSource, utf8Text, type UriSource } from '../core/client/uri-source';

/** Rust's io::Error display, `No such file or directory (os error 2)`, from a Node error. */
function ioMessage(error: unknown): string {
  const { code, errno } = (error ?? {}) as NodeJS.ErrnoException;
  const text: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory',
    ELOOP: 'Too many levels of symbolic links',
  };
  if (code && text[code] && typeof errno === 'number') return `${text[code]} (os error ${Math.abs(errno)})`;
  return messageOf(error);
}

async function readStdin(): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await Bun.stdin.arrayBuffer());
  } catch (error) {
    throw new BrktError('io', `Failed to read standard input: ${ioMessage(error)}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new BrktError('invalid-input', 'Failed to read standard input: stream did not contain valid UTF-8');
  }
}

/** The text of one source; errors carry upstream's resolver message. */
export async function readUriSource(source: UriSource): Promise<string> {
  switch (source.kind) {
    case 'stdin':
      return readStdin();
    case 'base64': {
      const uri = `base64:${source.data}`;
      let bytes: Uint8Array;
      try {
        bytes = decodeBase64Strict(source.data);
      } catch (error) {
        throw new BrktError('invalid-input', `Failed to decode base64 data from '${uri}': ${messageOf(error)}`);
      }
      return utf8Text(bytes, uri);
    }
    case 'file': {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(source.path);
      } catch (error) {
        throw new BrktError('invalid-input', `Failed to read given file '${source.path}': ${ioMessage(error)}`);
      }
      try {
        return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        throw new BrktError('invalid-input', `Failed to read given file '${source.path}': stream did not contain valid UTF-8`);
      }
    }
    case 'http':
      return (await import('./fetcher')).fetchBoundedText(source.url);
    default:
      return (await import('./aws-sources')).readAwsSource(source);
  }
}

/** Selects and reads one input: `No URI resolver found` for an input no resolver accepts. */
export const readInput = (input: string): Promise<string> => readUriSource(selectSource(input));

/**
 * Every input, up to four at a time (apiclient's `buffered(4)`); the first failure in argument
 * order is the one reported, after all have settled.
 */
export async function readInputs(inputs: string[]): Promise<string[]> {
  const results: PromiseSettledResult<string>[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await readInput(inputs[index]!).then(
        value => ({ status: 'fulfilled', value }) as const,
        reason => ({ status: 'rejected', reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, inputs.length) }, worker));
  return results.map(result => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}
