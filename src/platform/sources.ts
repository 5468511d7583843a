// Reads `apply` inputs: stdin (`-`), file:// and http(s):// URLs, and (for brkt's own commands)
// plain paths. Fetches at most four at a time and keeps the argument order.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface SourceOptions {
  /** brkt accepts plain paths; upstream apiclient requires URLs. */
  allowPaths: boolean;
}

export async function readSource(source: string, options: SourceOptions): Promise<string> {
  if (source === '-') return Bun.stdin.text();
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    if (options.allowPaths) return readFile(source, 'utf8');
    throw new Error(`Given invalid URI '${source}': relative URL without a base`);
  }
  if (url.protocol === 'file:') return readFile(fileURLToPath(url), 'utf8');
  // Bounded in time and size: a silent server or an endless body must not hang the command.
  if (url.protocol === 'http:' || url.protocol === 'https:') return (await import('./fetcher')).fetchBoundedText(source);
  throw new Error(`Unsupported scheme '${url.protocol.replace(/:$/, '')}' in '${source}': use file://, http:// or https://`);
}

/** All sources, up to four concurrently, results in argument order. */
export async function readSources(sources: string[], options: SourceOptions): Promise<string[]> {
  const results: string[] = new Array(sources.length);
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const index = next++;
      results[index] = await readSource(sources[index]!, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, sources.length) }, worker));
  return results;
}
