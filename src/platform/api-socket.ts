// Serves HTTP/1.1 on a Unix socket (api.md 1.2): a live socket is refused, a stale socket file
// is replaced, and the socket gets mode 0660 and optionally a group.
import { promises as fs } from 'node:fs';
import { BrktError, messageOf } from '../core/errors';
import type { HttpListener, ServeHttpOptions } from './types';

/** True when something accepts connections on `path` (a running server, not a stale file). */
async function isLive(path: string): Promise<boolean> {
  try {
    const socket = await Bun.connect({ unix: path, socket: { data() {}, error() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

export async function serveUnixHttp(options: ServeHttpOptions): Promise<HttpListener> {
  const { socket: path } = options;
  const existing = await fs.lstat(path).catch(() => undefined);
  if (existing) {
    if (existing.isSocket() && (await isLive(path))) {
      throw new BrktError('conflict', `Another server is already listening on ${path}`);
    }
    if (!existing.isSocket()) throw new BrktError('conflict', `Cannot listen on ${path}: a file that is not a socket is there`);
    await fs.rm(path, { force: true }); // stale: the previous server died without removing it
  }
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      unix: path,
      // Bodies are limited by the handler, which answers 413 itself; this is only a backstop.
      maxRequestBodySize: (options.maxBodyBytes ?? 2 * 1024 * 1024) * 2,
      fetch: request => options.handler(request),
      error: error => new Response(`Internal error: ${messageOf(error)}`, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } }),
    });
  } catch (error) {
    throw new BrktError('io', `Cannot listen on ${path}: ${messageOf(error)}`);
  }
  try {
    if (options.gid !== undefined) await fs.chown(path, -1, options.gid);
    await fs.chmod(path, 0o660);
  } catch (error) {
    server.stop(true);
    await fs.rm(path, { force: true });
    throw new BrktError('io', `Cannot set the owner or mode of ${path}: ${messageOf(error)}`);
  }
  let stopped: Promise<void> | undefined;
  return {
    path,
    stop() {
      stopped ??= (async () => {
        await server.stop(true);
        await fs.rm(path, { force: true });
      })();
      return stopped;
    },
  };
}
