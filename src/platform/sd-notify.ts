// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET (a path, or `@name` in the
// abstract namespace). Node has no Unix datagram sockets, so the three calls go through libc.
import { dlopen, FFIType, ptr } from 'bun:ffi';
import { BrktError } from '../core/errors';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SUN_PATH_BYTES = 108;

let libc: ReturnType<typeof load> | undefined;
function load() {
  return dlopen('libc.so.6', {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    sendto: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  }).symbols;
}

/** struct sockaddr_un for `socket`, and the length to pass (abstract names have no NUL). */
export function unixAddress(socket: string): { address: Uint8Array; length: number } {
  const abstract = socket.startsWith('@');
  const name = new TextEncoder().encode(abstract ? socket.slice(1) : socket);
  if (name.length + 1 > SUN_PATH_BYTES) throw new BrktError('invalid-input', `Notify socket path is too long: ${socket}`);
  const address = new Uint8Array(2 + SUN_PATH_BYTES);
  new DataView(address.buffer).setUint16(0, AF_UNIX, true);
  address.set(name, abstract ? 3 : 2); // abstract: sun_path[0] is NUL
  return { address, length: 2 + name.length + 1 };
}

/** Sends `state` (e.g. `READY=1`) to `socket`; throws when the datagram cannot be sent. */
export function sdNotify(socket: string, state: string): void {
  const c = (libc ??= load());
  const { address, length } = unixAddress(socket);
  const message = new TextEncoder().encode(state);
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new BrktError('io', `Failed to create a socket to notify ${socket}`);
  try {
    const sent = c.sendto(fd, ptr(message), message.length, 0, ptr(address), length);
    if (Number(sent) !== message.length) throw new BrktError('io', `Failed to send ${state} to the notify socket ${socket}`);
  } finally {
    c.close(fd);
  }
}
