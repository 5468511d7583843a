// sd_notify over a real Unix datagram socket, as systemd receives it for a Type=notify unit.
import { expect, test } from 'bun:test';
import { makeTempDir } from '../../test/helpers/sandbox';
import { bindDatagram } from '../../test/helpers/datagram';
import { makePlatform } from '.';
import { sdNotify } from './sd-notify';

test('notifyReady sends READY=1 to $NOTIFY_SOCKET once and hides the variable from children', async () => {
  await using dir = makeTempDir();
  using socket = bindDatagram(dir.path('notify'));
  const env: Record<string, string | undefined> = { NOTIFY_SOCKET: dir.path('notify') };
  const platform = makePlatform({ root: dir.root, env });
  expect(await platform.notifyReady()).toBe(true);
  expect(socket.take()).toBe('READY=1');
  expect(env.NOTIFY_SOCKET).toBeUndefined();
  expect(await platform.notifyReady()).toBe(false);
  expect(socket.take()).toBeUndefined();
});

test('an abstract socket name (@...) is reached too', () => {
  const name = `@brkt-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  using socket = bindDatagram(name);
  sdNotify(name, 'READY=1\nSTATUS=serving');
  expect(socket.take()).toBe('READY=1\nSTATUS=serving');
});

test('nobody listening is an error, not a silent success', async () => {
  await using dir = makeTempDir();
  expect(() => sdNotify(dir.path('nobody'), 'READY=1')).toThrow(`Failed to send READY=1 to the notify socket ${dir.path('nobody')}`);
});
