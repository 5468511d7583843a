import { describe, expect, test } from 'bun:test';
import { parse as parseToml } from 'smol-toml';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { BrktError } from '../errors';
import type { Platform } from '../../platform/types';
import { applySettings } from './apply';
import { makeApplier } from '.';
import { MemorySettingsSource } from './source';
import { k8sState } from './test-state';

async function restartLog(platform: Platform): Promise<Array<{ service: string; command: string[]; changedKeys: string[] }>> {
  const text = await platform.files.readTextIfExists(platform.paths.restartLog);
  return (text ?? '').split('\n').filter(Boolean).map(line => JSON.parse(line));
}

/** A sandbox whose restart commands really run, to see failures. */
const runningRestarts = (platform: Platform): Platform => ({ ...platform, runRestartCommand: (_service, argv, _keys, options) => platform.exec(argv, options) });

/** A restart command that never ends and leaves a child holding its output open. */
async function hangingCommand(sandbox: { platform: Platform; path(rel: string): string }) {
  const path = sandbox.path('hang.sh');
  await sandbox.platform.files.writeAtomic(path, '#!/bin/sh\nsleep 600 &\nexec sleep 600\n', { mode: 0o755 });
  return path;
}

describe('specific keys (settings.md 8)', () => {
  test('vector 19: settings.motd renders only motd, runs nothing', async () => {
    await using sandbox = await makeSandbox();
    const source = new MemorySettingsSource(k8sState());
    source.state.settings.motd = 'hello';
    const report = await applySettings(sandbox.platform, source, ['settings.motd']);
    expect(report).toEqual({ written: ['/etc/motd'], skipped: [], restarted: [] });
    expect(await Bun.file(sandbox.path('etc/motd')).text()).toBe('hello\n');
    expect((await sandbox.platform.files.info(sandbox.path('etc/motd')))!.mode).toBe(0o644);
    expect(await restartLog(sandbox.platform)).toEqual([]);
    expect(await sandbox.platform.files.exists(sandbox.path('etc/updog.toml'))).toBe(false);
  });

  test('updates.* rewrites etc/updog.toml', async () => {
    await using sandbox = await makeSandbox();
    const source = new MemorySettingsSource(k8sState());
    (source.state.settings.updates as Record<string, unknown>)['version-lock'] = 'v1.0.5';
    await applySettings(sandbox.platform, source, ['settings.updates.version-lock']);
    const config = parseToml(await Bun.file(sandbox.path('etc/updog.toml')).text());
    expect(config).toEqual({
      metadata_base_url: 'https://updates.bottlerocket.aws/2020-07-07/aws-k8s-1.17/x86_64/',
      targets_base_url: 'https://updates.bottlerocket.aws/targets/',
      seed: 1487,
      version_lock: 'v1.0.5',
      ignore_waves: false,
    });
  });

  test('ntp renders chrony.conf and logs the restart with the changed keys (sandbox)', async () => {
    await using sandbox = await makeSandbox();
    const source = new MemorySettingsSource(k8sState());
    source.state.settings.ntp = { 'time-servers': ['a.example'] };
    const report = await applySettings(sandbox.platform, source, ['settings.ntp.time-servers']);
    expect(report.restarted).toEqual([{ service: 'ntp', command: '/bin/systemctl try-reload-or-restart chronyd.service' }]);
    expect(await Bun.file(sandbox.path('etc/chrony.conf')).text()).toStartWith('pool a.example iburst\ndriftfile');
    const log = await restartLog(sandbox.platform);
    expect(log.map(({ service, command, changedKeys }) => ({ service, command, changedKeys }))).toEqual([
      { service: 'ntp', command: ['/bin/systemctl', 'try-reload-or-restart', 'chronyd.service'], changedKeys: ['settings.ntp.time-servers'] },
    ]);
  });

  test('a key that affects two services gives each its keys', async () => {
    await using sandbox = await makeSandbox();
    const state = k8sState();
    state.services.kubernetes!['restart-commands'] = ['/bin/true kubelet'];
    state.services.containerd!['restart-commands'] = ['/bin/true containerd'];
    state.settings.kubernetes = { ...(state.settings.kubernetes as object), 'pod-infra-container-image': 'pause:3.1', 'node-ip': '10.0.0.1', 'cluster-dns-ip': '10.100.0.10', 'api-server': 'https://k', 'cluster-name': 'c', 'cluster-certificate': 'SGk=' };
    const report = await applySettings(sandbox.platform, new MemorySettingsSource(state), ['settings.kubernetes.pod-infra-container-image', 'settings.motd']);
    expect(report.written.sort()).toEqual(['/etc/containerd/config.toml', '/etc/kubernetes/kubelet/config', '/etc/kubernetes/kubelet/env', '/etc/kubernetes/kubelet/kubeconfig', '/etc/kubernetes/pki/ca.crt', '/etc/motd']);
    const log = await restartLog(sandbox.platform);
    expect(log.map(entry => [entry.service, entry.changedKeys])).toEqual([
      ['containerd', ['settings.kubernetes.pod-infra-container-image']],
      ['kubernetes', ['settings.kubernetes.pod-infra-container-image']],
    ]);
  });

  test('if any affected file fails to render, none is written', async () => {
    await using sandbox = await makeSandbox();
    // kubelet-env renders (labels are optional) but kubelet-kubeconfig needs cluster settings.
    const source = new MemorySettingsSource(k8sState());
    const error = await applySettings(sandbox.platform, source, ['settings.kubernetes.node-labels']).catch(e => e);
    expect(error).toBeInstanceOf(BrktError);
    expect(error.message).toMatch(/^Cannot render configuration file kubelet-config \(\/etc\/kubernetes\/kubelet\/config\): Failed to render template \/usr\/share\/templates\/kubelet-config: Missing value for 'settings.kubernetes.cluster-dns-ip'/);
    expect(await sandbox.platform.files.list(sandbox.path('etc/kubernetes'))).toEqual([]);
  });

  test('no affected services: nothing happens', async () => {
    await using sandbox = await makeSandbox();
    const lines: string[] = [];
    const report = await applySettings(sandbox.platform, new MemorySettingsSource(k8sState()), ['settings.aws.region'], line => lines.push(line));
    expect(report).toEqual({ written: [], skipped: [], restarted: [] });
    expect(lines).toEqual(['applier: no services affected by settings.aws.region']);
  });

  test('an affected service that does not exist fails (the 2020 chronyd metadata bug)', async () => {
    await using sandbox = await makeSandbox();
    const state = k8sState();
    state.affectedServices['settings.ntp'] = ['chronyd'];
    await expect(applySettings(sandbox.platform, new MemorySettingsSource(state), ['settings.ntp.time-servers'])).rejects.toThrow("Found no 'services.chronyd' in datastore");
  });

  test('a failing restart command fails the apply, naming service and command; later commands do not run', async () => {
    await using sandbox = await makeSandbox();
    const state = k8sState();
    state.services.motd!['restart-commands'] = ['/bin/false', `/usr/bin/touch ${sandbox.path('later')}`];
    const error = await applySettings(runningRestarts(sandbox.platform), new MemorySettingsSource(state), ['settings.motd']).catch(e => e);
    expect(error.message).toBe("Restart command '/bin/false' of service motd exited with 1");
    expect(await sandbox.platform.files.exists(sandbox.path('later'))).toBe(false);
    // The files were written before the restart commands ran.
    expect(await sandbox.platform.files.exists(sandbox.path('etc/motd'))).toBe(true);
  });

  test('restart commands run without a shell, split on spaces', async () => {
    await using sandbox = await makeSandbox();
    const state = k8sState();
    state.services.motd!['restart-commands'] = [`/usr/bin/touch ${sandbox.path('a;b')}`];
    await applySettings(runningRestarts(sandbox.platform), new MemorySettingsSource(state), ['settings.motd']);
    expect(await sandbox.platform.files.list(sandbox.root)).toContain('a;b');
  });

  test("a configuration file's mode is used", async () => {
    await using sandbox = await makeSandbox();
    const state = k8sState();
    state.configurationFiles.motd!.mode = '0600';
    await applySettings(sandbox.platform, new MemorySettingsSource(state), ['settings.motd']);
    expect((await sandbox.platform.files.info(sandbox.path('etc/motd')))!.mode).toBe(0o600);
  });

  test('an invalid mode fails before anything is written', async () => {
    await using sandbox = await makeSandbox();
    const state = k8sState();
    state.configurationFiles.motd!.mode = 'rw-r--r--';
    await expect(applySettings(sandbox.platform, new MemorySettingsSource(state), ['settings.motd'])).rejects.toThrow("invalid mode 'rw-r--r--'");
    expect(await sandbox.platform.files.exists(sandbox.path('etc/motd'))).toBe(false);
  });

  test('a template file under the root wins over the embedded one', async () => {
    await using sandbox = await makeSandbox();
    await sandbox.platform.files.writeAtomic(sandbox.path('usr/share/templates/motd'), 'custom: {{settings.motd}}\n');
    await applySettings(sandbox.platform, new MemorySettingsSource(k8sState()), ['settings.motd']);
    expect(await Bun.file(sandbox.path('etc/motd')).text()).toBe('custom: Welcome to Bottlerocket!\n');
  });

  test('a template path with neither a file nor an embedded template fails', async () => {
    await using sandbox = await makeSandbox();
    const state = k8sState();
    state.configurationFiles.motd!['template-path'] = '/usr/share/templates/nope';
    await expect(applySettings(sandbox.platform, new MemorySettingsSource(state), ['settings.motd'])).rejects.toThrow('No template at /usr/share/templates/nope');
  });

  test('files under /etc/systemd make systemd re-read its units', async () => {
    await using sandbox = await makeSandbox();
    const state = k8sState();
    state.configurationFiles.motd!.path = '/etc/systemd/system/motd.conf';
    await applySettings(sandbox.platform, new MemorySettingsSource(state), ['settings.motd']);
    expect((await restartLog(sandbox.platform)).map(entry => [entry.service, entry.command])).toEqual([['systemd', ['/bin/systemctl', 'daemon-reload']]]);
  });
});

describe('all mode (boot)', () => {
  test('renders what it can, skips the rest, runs every restart command', async () => {
    await using sandbox = await makeSandbox();
    const lines: string[] = [];
    const report = await applySettings(sandbox.platform, new MemorySettingsSource(k8sState()), undefined, line => lines.push(line));
    expect(report.written.sort()).toEqual(['/etc/chrony.conf', '/etc/host-containers/host-containers.toml', '/etc/motd', '/etc/updog.toml']);
    expect(report.skipped.map(entry => entry.file)).toEqual(['containerd-config-toml', 'kubelet-config', 'kubelet-env', 'kubelet-kubeconfig', 'kubernetes-ca-crt']);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toStartWith('applier: skipped containerd-config-toml (/etc/containerd/config.toml): ');
    expect((await restartLog(sandbox.platform)).map(entry => [entry.service, entry.command, entry.changedKeys])).toEqual([
      ['host-containers', ['/usr/bin/host-containers'], []],
      ['ntp', ['/bin/systemctl', 'try-reload-or-restart', 'chronyd.service'], []],
    ]);
    const hostContainers = parseToml(await Bun.file(sandbox.path('etc/host-containers/host-containers.toml')).text()) as any;
    expect(hostContainers['host-containers'].control.enabled).toBe(true);
  });
});

describe('restart commands on a host', () => {
  test('at boot a missing program and a hung command are logged failures; every other service still restarts', async () => {
    await using sandbox = await makeSandbox();
    const state = k8sState();
    state.services.motd!['restart-commands'] = ['/nonexistent/motd-restart'];
    state.services.ntp!['restart-commands'] = [await hangingCommand(sandbox)];
    state.services['host-containers']!['restart-commands'] = [`/usr/bin/touch ${sandbox.path('restarted')}`];
    const lines: string[] = [];
    const report = await applySettings(runningRestarts(sandbox.platform), new MemorySettingsSource(state), undefined, line => lines.push(line), { restartTimeoutMs: 300 });
    expect(report.failedRestarts).toEqual([
      { service: 'motd', command: '/nonexistent/motd-restart', reason: expect.stringContaining("Restart command '/nonexistent/motd-restart' of service motd exited with 127") },
      { service: 'ntp', command: sandbox.path('hang.sh'), reason: `Restart command '${sandbox.path('hang.sh')}' of service ntp timed out after 0.3 s` },
    ]);
    expect(report.restarted).toEqual([{ service: 'host-containers', command: `/usr/bin/touch ${sandbox.path('restarted')}` }]);
    expect(await sandbox.platform.files.exists(sandbox.path('restarted'))).toBe(true);
    expect(lines.filter(line => line.startsWith('applier: Restart command'))).toHaveLength(2);
  });

  test("a hung restart command does not hold the applier's queue", async () => {
    await using sandbox = await makeSandbox();
    const source = new MemorySettingsSource(k8sState());
    source.state.services.motd!['restart-commands'] = [await hangingCommand(sandbox)];
    source.state.services.ntp!['restart-commands'] = [`/usr/bin/touch ${sandbox.path('second')}`];
    source.state.settings.ntp = { 'time-servers': ['a.example'] };
    const apply = makeApplier(runningRestarts(sandbox.platform), source, { restartTimeoutMs: 300 });
    const first = apply({ keys: ['settings.motd'] }).catch((error: Error) => error.message);
    const second = apply({ keys: ['settings.ntp.time-servers'] }); // queued behind the hung one
    expect(await first).toBe(`Restart command '${sandbox.path('hang.sh')}' of service motd timed out after 0.3 s`);
    await second;
    expect(await sandbox.platform.files.exists(sandbox.path('second'))).toBe(true);
  });
});
