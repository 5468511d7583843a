// Serves HTTP/1.1 on a Unix socket (api.md 1.2): a live socket is refused, a stale socket file
// is replaced, and the socket gets mode 0660 and optionally a group. The socket is bound inside
// a fresh private (0700) directory beside its final name, given its mode and group there, and
// only then renamed into place: bind(2) creates it with the process umask, and it must never be
// reachable by others with a wider mode, not even for an instant.
import { promises as fs } from 'node:fs';
import { basename, dirname } from 'node:path';
import { BrktError, messageOf } from '../core/errors';
import type { Confinement } from './confined';
import type { HttpListener, ServeHttpOptions, WebSocketSession } from './types';

/** True when something accepts connections on `path` (a running server, not a stale file). */
export async function isLive(path: string): Promise<boolean> {
  try {
    const socket = await Bun.connect({ unix: path, socket: { data() {}, error() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * The directory the socket goes in, as a path for syscalls: under the root it is entered through
 * the root's confinement (a link planted at `run/` does not move the socket elsewhere) and held
 * open while the socket is made.
 */
function holdParent(path: string, confinement?: Confinement): { dir: string; close(): void } {
  if (!confinement) return { dir: dirname(path), close() {} };
  const held = confinement.openDir(dirname(path), { create: true });
  return { dir: held.path, close: held.close };
}

export async function serveUnixHttp(options: ServeHttpOptions, confinement?: Confinement): Promise<HttpListener> {
  const { socket: path } = options;
  const parent = holdParent(path, confinement);
  const final = `${parent.dir}/${basename(path)}`;
  let server: ReturnType<typeof Bun.serve<WebSocketSession>>;
  try {
    const existing = await fs.lstat(final).catch(() => undefined);
    if (existing) {
      if (existing.isSocket() && (await isLive(final))) {
        throw new BrktError('conflict', `Another server is already listening on ${path}`);
      }
      if (!existing.isSocket()) throw new BrktError('conflict', `Cannot listen on ${path}: a file that is not a socket is there`);
      await fs.rm(final, { force: true }); // stale: the previous server died without removing it
    }
    let privateDir: string;
    try {
      privateDir = await fs.mkdtemp(`${parent.dir}/.bind-`); // mode 0700 whatever the umask
    } catch (error) {
      throw new BrktError('io', `Cannot listen on ${path}: ${messageOf(error)}`);
    }
    const bound = `${privateDir}/s`;
    try {
      try {
        server = Bun.serve<WebSocketSession>({
          unix: bound,
          // Bodies are limited by the handler, which answers 413 itself; this is only a backstop.
          maxRequestBodySize: (options.maxBodyBytes ?? 2 * 1024 * 1024) * 2,
          // A commit and apply of thousands of keys may outlast Bun's default of 10 s; the client
          // on this local socket decides how long to wait (upstream's server has no such limit).
          idleTimeout: 0 as never,
          async fetch(request, self) {
            let upgraded = false;
            const response = await options.handler(request, session => (upgraded = self.upgrade(request, { data: session })));
            return upgraded ? undefined : response;
          },
          // Sessions keep their own liveness (pings, timeouts), as api.md 9 specifies.
          websocket: {
            sendPings: false,
            idleTimeout: 0,
            open: ws => ws.data.open({ send: data => void ws.send(data), ping: () => void ws.ping(), close: (code, reason) => ws.close(code, reason) }),
            message: (ws, message) => ws.data.message(typeof message === 'string' ? message : new Uint8Array(message)),
            pong: ws => ws.data.pong(),
            close: (ws, code, reason) => ws.data.closed(code, reason),
          },
          error: error => new Response(`Internal error: ${messageOf(error)}`, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } }),
        });
      } catch (error) {
        throw new BrktError('io', `Cannot listen on ${path}: ${messageOf(error)}`);
      }
      try {
        if (options.gid !== undefined) await fs.chown(bound, -1, options.gid);
        await fs.chmod(bound, 0o660);
        await fs.rename(bound, final);
      } catch (error) {
        server.stop(true);
        throw new BrktError('io', `Cannot set the owner or mode of ${path}: ${messageOf(error)}`);
      }
    } finally {
      await fs.rm(privateDir, { recursive: true, force: true });
    }
  } finally {
    parent.close();
  }
  let stopped: Promise<void> | undefined;
  return {
    path,
    stop() {
      stopped ??= (async () => {
        await server.stop(true);
        const again = holdParent(path, confinement);
        try {
          await fs.rm(`${again.dir}/${basename(path)}`, { force: true });
        } finally {
          again.close();
        }
      })();
      return stopped;
    },
  };
}
