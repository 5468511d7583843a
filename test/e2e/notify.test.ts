// The apiserver unit is Type=notify: the compiled binary, started as `apiserver` with
// $NOTIFY_SOCKET, sends READY=1 itself once its socket is bound with mode 0660.
import { expect, test } from 'bun:test';
import { statSync } from 'node:fs';
import { brkt, BRKT_BIN, testEnv } from '../helpers/brkt';
import { bindDatagram } from '../helpers/datagram';
import { makeSandbox } from '../helpers/sandbox';

test('apiserver sends READY=1 on $NOTIFY_SOCKET after binding the API socket', async () => {
  await using sandbox = await makeSandbox();
  expect((await brkt('brkt', ['boot'], { root: sandbox.root })).code).toBe(0);
  using notify = bindDatagram(sandbox.path('notify.sock'));
  const child = Bun.spawn({
    cmd: [BRKT_BIN, '--datastore-path', '/var/lib/bottlerocket/datastore/current'],
    argv0: 'apiserver',
    env: { ...testEnv, BRKT_ROOT: sandbox.root, NOTIFY_SOCKET: sandbox.path('notify.sock') },
    stdout: 'ignore',
    stderr: 'pipe',
  });
  let stderr = '';
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    stderr += decoder.decode(chunk, { stream: true });
    if (stderr.includes('apiserver: notified systemd of readiness\n')) break;
  }
  expect(stderr).toContain('apiserver: notified systemd of readiness\n');
  expect(notify.take()).toBe('READY=1');
  expect(statSync(sandbox.path('run/api.sock')).mode & 0o777).toBe(0o660);
  child.kill('SIGTERM');
  expect(await child.exited).toBe(0);
});
