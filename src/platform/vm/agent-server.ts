// The guest side of the agent channel (`brkt dev vm agent`, a unit in the VM's image): finds the
// virtio-serial port by name, greets with the boot id, runs commands as root and reports whether
// the API answers. A command meant for an earlier boot is refused.
import { createReadStream, openSync, readdirSync, readFileSync, write } from 'node:fs';
import { BrktError } from '../../core/errors';
import { chunkPayload, encodeFrame, encodeJsonFrame, FRAME, frameJson, FrameReader, type ExecRequest, type Frame } from '../../core/vm/agent-protocol';
import { AGENT_PORT_NAME } from '../../core/vm/guest-files';
import type { Platform } from '../types';

function findPort(): string {
  const base = '/sys/class/virtio-ports';
  let names: string[] = [];
  try {
    names = readdirSync(base);
  } catch {
    // no virtio-serial device at all
  }
  for (const port of names) {
    const name = readFileSync(`${base}/${port}/name`, 'utf8').trim();
    if (name === AGENT_PORT_NAME) return `/dev/${port}`;
  }
  throw new BrktError('not-found', `No virtio-serial port named ${AGENT_PORT_NAME}`);
}

export async function serveAgent(platform: Platform, log: (line: string) => void): Promise<never> {
  const path = findPort();
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const fd = openSync(path, 'r+');
  let writing = Promise.resolve();
  const send = (frame: Uint8Array) => {
    writing = writing.then(() => new Promise<void>(resolve => write(fd, frame, () => resolve())));
    return writing;
  };
  const reader = new FrameReader();
  const handle = async (frame: Frame) => {
    if (frame.type === FRAME.ping) return send(encodeJsonFrame(FRAME.hello, frame.session, { bootId }));
    if (frame.type === FRAME.apiCheck) {
      let status = { ready: false, detail: '' };
      try {
        const answer = await platform.unixRequest(platform.paths.apiSocket, 'GET', '/os');
        status = { ready: answer.status === 200, detail: `GET /os: ${answer.status}` };
      } catch (error) {
        status = { ready: false, detail: (error as Error).message };
      }
      return send(encodeJsonFrame(FRAME.apiStatus, frame.session, status));
    }
    if (frame.type !== FRAME.exec) return;
    const request = frameJson<ExecRequest>(frame);
    if (request.bootId !== bootId) return send(encodeJsonFrame(FRAME.exit, frame.session, { code: 255, stale: true }));
    let child;
    try {
      child = Bun.spawn({
        cmd: request.argv,
        cwd: '/root',
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8', TERM: 'dumb' },
        stdin: 'ignore',
        stdout: 'pipe',
        stderr: 'pipe',
      });
    } catch (error) {
      await send(encodeFrame(FRAME.stderr, frame.session, new TextEncoder().encode(`${request.argv[0]}: ${(error as Error).message}\n`)));
      return send(encodeJsonFrame(FRAME.exit, frame.session, { code: 127 }));
    }
    const pump = async (stream: ReadableStream<Uint8Array>, type: typeof FRAME.stdout | typeof FRAME.stderr) => {
      for await (const chunk of stream) for (const piece of chunkPayload(chunk)) await send(encodeFrame(type, frame.session, piece));
    };
    await Promise.all([pump(child.stdout, FRAME.stdout), pump(child.stderr, FRAME.stderr)]);
    const code = await child.exited;
    return send(encodeJsonFrame(FRAME.exit, frame.session, { code: child.signalCode ? 128 + (signalNumbers[child.signalCode] ?? 0) : code }));
  };
  await send(encodeJsonFrame(FRAME.hello, 0, { bootId }));
  log(`agent: serving ${path} (boot ${bootId})`);
  const stream = createReadStream('', { fd, autoClose: false, highWaterMark: 1 << 16 });
  stream.on('data', chunk => {
    for (const frame of reader.push(new Uint8Array(chunk as Buffer))) {
      handle(frame).catch(error => log(`agent: ${(error as Error).message}`));
    }
  });
  return new Promise<never>((_, reject) => stream.on('error', reject));
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15, SIGABRT: 6 };
