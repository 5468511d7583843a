// settings-now.md 4 and test vector 12: `overwrite-path-if-present = false` leaves an existing
// file alone, for specific keys and for --all; a missing path is written; without the field the
// file is always written.
import { describe, expect, test } from 'bun:test';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { applySettings } from './apply';
import { MemorySettingsSource } from './source';
import { k8sState } from './test-state';

function motdSource(overwrite: boolean | undefined) {
  const state = k8sState();
  state.settings.motd = 'rendered';
  state.configurationFiles.motd = { path: '/etc/motd', 'template-path': '/usr/share/templates/motd', ...(overwrite === undefined ? {} : { 'overwrite-path-if-present': overwrite }) };
  return new MemorySettingsSource(state);
}

describe('vector 12: overwrite-path-if-present', () => {
  for (const keys of [['settings.motd'], undefined]) {
    const mode = keys ? 'specific keys' : '--all';
    test(`false and the path exists: not rewritten (${mode})`, async () => {
      await using sandbox = await makeSandbox();
      await sandbox.platform.files.writeAtomic(sandbox.path('etc/motd'), 'mine\n');
      const lines: string[] = [];
      const report = await applySettings(sandbox.platform, motdSource(false), keys, line => lines.push(line));
      expect(report.written).not.toContain('/etc/motd');
      expect(await Bun.file(sandbox.path('etc/motd')).text()).toBe('mine\n');
      expect(lines).toContain('applier: motd: /etc/motd exists and overwrite-path-if-present is false, not rendering it');
    });

    test(`false and the path is missing: written (${mode})`, async () => {
      await using sandbox = await makeSandbox();
      const report = await applySettings(sandbox.platform, motdSource(false), keys);
      expect(report.written).toContain('/etc/motd');
      expect(await Bun.file(sandbox.path('etc/motd')).text()).toBe('rendered\n');
    });

    for (const overwrite of [undefined, true]) {
      test(`${overwrite === undefined ? 'absent' : 'true'}: always written (${mode})`, async () => {
        await using sandbox = await makeSandbox();
        await sandbox.platform.files.writeAtomic(sandbox.path('etc/motd'), 'mine\n');
        await applySettings(sandbox.platform, motdSource(overwrite), keys);
        expect(await Bun.file(sandbox.path('etc/motd')).text()).toBe('rendered\n');
      });
    }
  }
});
