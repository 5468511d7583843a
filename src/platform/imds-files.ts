// The instance metadata a sandbox serves: one file per IMDS path under its root, answered as the
// IMDSv2 client answers (a missing path is a 404: `undefined`; a directory lists its entries).
import { readFile, readdir } from 'node:fs/promises';
import { BrktError } from '../core/errors';
import { underRoot } from './paths';
import type { Imds } from './types';

export function imdsFiles(dir: string): Imds {
  return {
    baseUrl: dir,
    async get(path) {
      const file = underRoot(dir, path.replace(/^\/+/, ''));
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        if (code !== 'EISDIR') throw new BrktError('unavailable', `Failed to read instance metadata ${file}: ${(error as Error).message}`, { cause: error });
      }
      // IMDS lists a directory one entry a line, subdirectories with a trailing slash.
      const entries = await readdir(file, { withFileTypes: true });
      return entries.map(entry => entry.name + (entry.isDirectory() ? '/' : '')).sort().join('\n');
    },
  };
}
