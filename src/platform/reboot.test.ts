// The host reboot's refusals. The success path is never run here: it would reboot the machine.
// The systemd runtime directory is moved to a path that does not exist, so these tests can
// never reach systemctl even on a machine booted with systemd.
import { expect, test } from 'bun:test';
import { makeTempDir } from '../../test/helpers/sandbox';
import { withTool } from '../../test/helpers/tools';
import { makePlatform } from '.';
import { rebootMachine } from './reboot';

test('no systemctl on PATH: one line naming it', async () => {
  await using dir = makeTempDir();
  await expect(rebootMachine('systemctl', { PATH: dir.root, BRKT_SYSTEMD_RUNTIME: dir.path('none') })).rejects.toThrow('Cannot reboot: systemctl is not installed (brkt reboots through systemd)');
  await expect(rebootMachine('shutdown', { PATH: dir.root, BRKT_SYSTEMD_RUNTIME: dir.path('none') })).rejects.toThrow('Cannot reboot: shutdown is not installed (brkt reboots through systemd)');
});

withTool('systemctl')('PID 1 not systemd: one line, nothing run', async () => {
  await using dir = makeTempDir();
  const env = { PATH: process.env.PATH, BRKT_SYSTEMD_RUNTIME: dir.path('none') };
  await expect(rebootMachine('systemctl', env)).rejects.toThrow(`Cannot reboot: PID 1 is not systemd (no ${dir.path('none')}); reboot the machine another way`);
  // The host platform reboots this way; a sandbox has no machine to reboot.
  const host = makePlatform({ root: '/', env });
  expect(host.kind).toBe('host');
  await expect(host.reboot!('systemctl')).rejects.toThrow('Cannot reboot: PID 1 is not systemd');
  expect(makePlatform({ root: dir.root, env }).reboot).toBeUndefined();
});
