// `npm start`: build, create ./sandbox if missing, boot it and serve its API in the foreground.
import { existsSync } from 'node:fs';

const run = (cmd: string[]) => {
  const proc = Bun.spawnSync({ cmd, stdout: 'inherit', stderr: 'inherit' });
  if (proc.exitCode !== 0) process.exit(proc.exitCode ?? 1);
};

run([process.execPath, 'scripts/build.ts']);
if (!existsSync('sandbox')) run(['dist/brkt', 'dev', 'init', 'sandbox']);
console.log(`
Serving the sandbox API on sandbox/run/api.sock. In another terminal, try:
  dist/brkt --root sandbox settings get
  dist/brkt --root sandbox settings set motd="hello from brkt" && cat sandbox/etc/motd
  dist/brkt --root sandbox signpost status
  dist/brkt --root sandbox update check
Stop with Ctrl-C; rm -rf sandbox starts over.
`);
const server = Bun.spawn({ cmd: ['dist/brkt', '--root', 'sandbox', 'boot', '--serve'], stdout: 'inherit', stderr: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
process.exit(await server.exited);
