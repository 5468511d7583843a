// Starts a serving child for a benchmark and resolves once its output contains `ready`.
export async function startServing(cmd: string[], ready: string, env: Record<string, string> = {}) {
  const child = Bun.spawn({ cmd, env: { PATH: process.env.PATH ?? '', ...env }, stdout: 'pipe', stderr: 'pipe' });
  let output = '';
  let resolveReady: () => void = () => undefined;
  const isReady = new Promise<void>(resolve => (resolveReady = resolve));
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      output += new TextDecoder().decode(chunk);
      if (output.includes(ready)) resolveReady();
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  await Promise.race([isReady, drained.then(() => Promise.reject(new Error(`${cmd.join(' ')} exited: ${output}`)))]);
  return child;
}
