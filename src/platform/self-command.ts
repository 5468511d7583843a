/** `[binary]` for the compiled brkt; `[bun, src/main.ts]` when started from source. */
export function selfCommand(): string[] {
  const main = Bun.main;
  return main.startsWith('/$bunfs/') || main.startsWith('B:/~BUN/') ? [process.execPath] : [process.execPath, main];
}
