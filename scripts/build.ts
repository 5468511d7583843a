// Compiles dist/brkt. Splitting keeps each command group in its own chunk, loaded only when
// used; bytecode skips parsing at start-up (it needs ESM output for top-level await).
const flags = process.argv.includes('--no-bytecode') ? [] : ['--bytecode'];
const cmd = [
  process.execPath, 'build', 'src/main.ts', '--compile', '--minify', '--splitting', '--format=esm', ...flags,
  '--outfile', process.env.BRKT_OUTFILE ?? 'dist/brkt',
];
const proc = Bun.spawnSync({ cmd, stdout: 'inherit', stderr: 'inherit' });
process.exit(proc.exitCode ?? 1);
