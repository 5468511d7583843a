import { join } from 'node:path';

/** `[binary]` for the compiled brkt; `[bun, src/main.ts]` when started from source (or a test). */
export function selfCommand(): string[] {
  const main = Bun.main;
  return main.startsWith('/$bunfs/') || main.startsWith('B:/~BUN/') ? [process.execPath] : [process.execPath, join(import.meta.dir, '..', 'main.ts')];
}
