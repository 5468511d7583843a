import { expect, test } from 'bun:test';
import { hostPaths, underRoot } from './paths';

test.each([
  ['/srv/sb', 'etc/motd', '/srv/sb/etc/motd'],
  ['/srv/sb', '/etc/motd', '/srv/sb/etc/motd'],
  ['/srv/sb', 'a/../b', '/srv/sb/b'],
  ['/srv/sb', '/srv/sb/etc/motd', '/srv/sb/etc/motd'],
  ['/', 'etc/motd', '/etc/motd'],
  ['/', '/etc/motd', '/etc/motd'],
])('underRoot(%p, %p) = %p', (root, rel, expected) => {
  expect(underRoot(root, rel)).toBe(expected);
});

test.each(['../../etc/shadow', '/etc/../../x', 'a/../../b', '/srv/sb/../other'])('%p is refused', rel => {
  expect(() => underRoot('/srv/sb', rel)).toThrow(`Refusing path ${rel}: it leaves the root /srv/sb`);
});

test('the path table is rooted and the socket can be overridden', () => {
  const paths = hostPaths('/srv/sb');
  expect(paths.apiSocket).toBe('/srv/sb/run/api.sock');
  expect(paths.datastore).toBe('/srv/sb/var/lib/bottlerocket/datastore/current');
  expect(hostPaths('/srv/sb', '/tmp/x.sock').apiSocket).toBe('/tmp/x.sock');
  expect(hostPaths('/').motd).toBe('/etc/motd');
});
