import { expect, test } from 'bun:test';
import { isLoopbackRegistry, runArgs } from './ctr-runtime';

const spec = { id: 'admin', image: 'example.com/admin:v1', mounts: [{ source: '/local/host-containers/admin', destination: '/.bottlerocket/host-containers/admin', options: ['rbind', 'rw'] }], env: [], capabilities: [] };

test('a superpowered container joins the caller\'s PID namespace, privileged; its runc state is this containerd\'s', () => {
  expect(runArgs({ ...spec, hostPid: true, privileged: true, seccomp: false }, 42, '/run/host-containerd/runc')).toEqual([
    'run', '--runc-root', '/run/host-containerd/runc', '--net-host', '--snapshotter', 'overlayfs',
    '--mount', 'type=bind,src=/local/host-containers/admin,dst=/.bottlerocket/host-containers/admin,options=rbind:rw',
    '--with-ns', 'pid:/proc/42/ns/pid', '--privileged', '--allow-new-privs', 'example.com/admin:v1', 'admin',
  ]);
});

test('a plain container keeps its own PID namespace and gets the default seccomp profile', () => {
  const args = runArgs({ ...spec, hostPid: false, privileged: false, seccomp: true, capabilities: ['CAP_SYS_ADMIN'] }, 42, '/r');
  expect(args).not.toContain('--with-ns');
  expect(args).not.toContain('--privileged');
  expect(args.slice(-5)).toEqual(['--cap-add', 'CAP_SYS_ADMIN', '--seccomp', 'example.com/admin:v1', 'admin']);
});

test.each([
  ['127.0.0.1:5000/admin:v1', true],
  ['localhost/admin', true],
  ['[::1]:5000/a', true],
  ['public.ecr.aws/bottlerocket/admin:v1', false],
  ['127.0.0.1.example.com/a', false],
])('%s is plain HTTP: %p', (reference, expected) => {
  expect(isLoopbackRegistry(reference)).toBe(expected);
});
