// A receiving Unix datagram socket for tests (what systemd listens on as $NOTIFY_SOCKET). Node
// has no Unix datagram sockets, so it is made with libc's socket, bind and recv.
import { dlopen, FFIType, ptr } from 'bun:ffi';
import { unixAddress } from '../../src/platform/sd-notify';

const libc = () =>
  dlopen('libc.so.6', {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    recv: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  }).symbols;

const MSG_DONTWAIT = 0x40;

export interface DatagramReceiver extends Disposable {
  /** The next queued datagram, or undefined when none is waiting (never blocks). */
  take(): string | undefined;
}

export function bindDatagram(path: string): DatagramReceiver {
  const c = libc();
  const fd = c.socket(1, 2, 0);
  const { address, length } = unixAddress(path);
  if (fd < 0 || c.bind(fd, ptr(address), length) !== 0) throw new Error(`cannot bind a datagram socket at ${path}`);
  return {
    take() {
      const buffer = new Uint8Array(4096);
      const size = Number(c.recv(fd, ptr(buffer), buffer.length, MSG_DONTWAIT));
      return size < 0 ? undefined : new TextDecoder().decode(buffer.subarray(0, size));
    },
    [Symbol.dispose]() {
      c.close(fd);
    },
  };
}
