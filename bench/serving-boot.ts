// A serving `brkt boot --serve` of a sandbox for the benchmarks: started, rebooted in place and
// stopped, with each boot's end read from its output ("serving the API on").
import { join } from 'node:path';
import { startServing } from './serving';

const SERVING = 'serving the API on';

export class ServingBoot {
  private output = '';
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(private readonly child: ReturnType<typeof Bun.spawn>, private readonly bin: string, readonly root: string) {}

  get pid() {
    return this.child.pid;
  }

  get socket() {
    return join(this.root, 'run/api.sock');
  }

  /** Starts the boot; resolves once it serves. */
  static async start(bin: string, root: string): Promise<ServingBoot> {
    const child = Bun.spawn({ cmd: [bin, '--root', root, 'boot', '--serve'], env: { PATH: process.env.PATH ?? '' }, stdout: 'pipe', stderr: 'pipe' });
    const boot = new ServingBoot(child, bin, root);
    const done = boot.servedTimes(1);
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) boot.take(decoder.decode(chunk, { stream: true }));
    };
    const drained = Promise.all([drain(child.stdout as ReadableStream<Uint8Array>), drain(child.stderr as ReadableStream<Uint8Array>)]);
    await Promise.race([done, drained.then(() => Promise.reject(new Error(`brkt boot exited: ${boot.output}`)))]);
    return boot;
  }

  /** A fixed-body Bun.serve on the same kind of socket: the ceiling for GET throughput. */
  static async ceiling(root: string, body: string): Promise<{ socket: string; stop(): void }> {
    const socket = join(root, 'run/ceiling.sock');
    const bodyFile = join(root, 'run/ceiling-body.json');
    await Bun.write(bodyFile, body);
    const script = `const body = await Bun.file(${JSON.stringify(bodyFile)}).bytes(); Bun.serve({ unix: ${JSON.stringify(socket)}, fetch: () => new Response(body, { headers: { 'content-type': 'application/json' } }) }); console.log('${SERVING} ceiling');`;
    const child = await startServing([process.execPath, '-e', script], SERVING);
    return { socket, stop: () => child.kill('SIGTERM') };
  }

  private take(text: string) {
    this.output += text;
    const count = this.output.split(SERVING).length - 1;
    this.waiters = this.waiters.filter(waiter => {
      if (count < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  private servedTimes(count: number): Promise<void> {
    return new Promise(resolve => {
      this.waiters.push({ count, resolve });
      this.take('');
    });
  }

  /** `brkt reboot` and the time until the boot serves again. */
  async reboot(): Promise<number> {
    const next = this.output.split(SERVING).length;
    const start = performance.now();
    const result = Bun.spawnSync({ cmd: [this.bin, '--root', this.root, 'reboot'], stdout: 'ignore', stderr: 'pipe' });
    if (result.exitCode !== 0) throw new Error(`brkt reboot failed: ${result.stderr.toString()}`);
    await this.servedTimes(next);
    return performance.now() - start;
  }

  async request(method: string, path: string, body: unknown, status: number): Promise<string> {
    const response = await fetch(`http://localhost${path}`, {
      unix: this.socket,
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    } as RequestInit);
    const text = await response.text();
    if (response.status !== status) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return text;
  }

  text(path: string): Promise<string> {
    return this.request('GET', path, undefined, 200);
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await this.child.exited;
  }
}
