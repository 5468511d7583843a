// One run of thar-be-settings (settings.md section 8): changed keys -> affected services -> their
// configuration files rendered and written under the root -> the services' restart commands.
import { BrktError, messageOf } from '../errors';
import { renderTemplate } from '../templates/render';
import { loadTemplate } from '../templates/resolve';
import type { Platform } from '../../platform/types';
import type { ConfigurationFileInfo, SettingsSource } from './source';

export interface ApplyReport {
  /** Host paths written (as the configuration files name them, e.g. `/etc/motd`). */
  written: string[];
  /** All mode only: files that failed to render and were left alone, with the reason. */
  skipped: Array<{ file: string; reason: string }>;
  /** Restart commands run (or, in a sandbox, logged), in order. */
  restarted: Array<{ service: string; command: string }>;
  /** All mode only, present when any failed: restart commands that failed, with the reason. */
  failedRestarts?: Array<{ service: string; command: string; reason: string }>;
}

/** A restart command is killed (with what it started) after this long, so it cannot hold the queue. */
export const RESTART_TIMEOUT_MS = 60_000;

export interface ApplyOptions {
  restartTimeoutMs?: number;
}

interface RenderedFile {
  name: string;
  path: string;
  content: string;
  mode: number;
}

const DEFAULT_MODE = 0o644;

/**
 * Applies the changed `keys`, or everything when `keys` is undefined (`--all`, boot).
 * Specific keys render strictly: if any affected file fails, none is written and the run fails.
 * All mode renders leniently: a failing file is logged and skipped, the rest are written.
 */
export async function applySettings(
  platform: Platform,
  source: SettingsSource,
  keys: string[] | undefined,
  log: (line: string) => void = () => {},
  options: ApplyOptions = {},
): Promise<ApplyReport> {
  const report: ApplyReport = { written: [], skipped: [], restarted: [] };
  const timeoutMs = options.restartTimeoutMs ?? RESTART_TIMEOUT_MS;
  if (keys === undefined) {
    const files = await source.configurationFiles();
    const rendered = await renderFiles(platform, source, files, 'lenient', report, log);
    await writeFiles(platform, rendered, [], report, timeoutMs);
    const services = await source.services();
    // All mode (boot): a service whose restart fails (a program the image lacks, a timeout) is
    // logged and the others still restart; the boot goes on.
    for (const name of Object.keys(services).sort()) {
      try {
        await restartService(platform, name, services[name]!['restart-commands'], [], report, timeoutMs);
      } catch (error) {
        const failed = error as RestartFailure;
        if (!(failed instanceof RestartFailure)) throw error;
        (report.failedRestarts ??= []).push({ service: name, command: failed.command, reason: failed.message });
        log(`applier: ${failed.message}`);
      }
    }
    return report;
  }
  if (keys.length === 0) return report;

  const affected = await source.affectedServices(keys);
  // Each service remembers the changed keys that reached it (CHANGED_SETTINGS upstream).
  const keysByService = new Map<string, string[]>();
  for (const key of keys) {
    for (const service of affected[key] ?? []) {
      const list = keysByService.get(service) ?? [];
      if (!list.includes(key)) list.push(key);
      keysByService.set(service, list);
    }
  }
  if (keysByService.size === 0) {
    log(`applier: no services affected by ${keys.join(', ')}`);
    return report;
  }
  const names = [...keysByService.keys()].sort();
  const services = await source.services(names);
  const fileNames = [...new Set(names.flatMap(name => services[name]?.['configuration-files'] ?? []))];
  if (fileNames.length > 0) {
    const files = await source.configurationFiles(fileNames);
    const rendered = await renderFiles(platform, source, files, 'strict', report, log);
    await writeFiles(platform, rendered, keys, report, timeoutMs);
  }
  for (const name of names) {
    const service = services[name];
    if (!service) throw new BrktError('not-found', `Found no 'services.${name}' in the answer of the API`);
    await restartService(platform, name, service['restart-commands'], keysByService.get(name)!, report, timeoutMs);
  }
  return report;
}

/** The data templates see: the whole model, as upstream's `GET /` returns it (settings.md 9). */
async function loadModel(source: SettingsSource) {
  const [settings, services, files, os] = await Promise.all([source.settings(), source.services(), source.configurationFiles(), source.os()]);
  return { settings, services, 'configuration-files': files, os };
}

/** Renders every file before anything is written (nothing half-applied in strict mode). */
async function renderFiles(
  platform: Platform,
  source: SettingsSource,
  files: Record<string, ConfigurationFileInfo>,
  mode: 'strict' | 'lenient',
  report: ApplyReport,
  log: (line: string) => void,
): Promise<RenderedFile[]> {
  const model = await loadModel(source);
  const rendered: RenderedFile[] = [];
  for (const name of Object.keys(files).sort()) {
    const file = files[name]!;
    // Upstream thar-be-settings skips such a file in both modes, with an info log.
    if (file['overwrite-path-if-present'] === false && (await platform.files.exists(platform.path(file.path)))) {
      log(`applier: ${name}: ${file.path} exists and overwrite-path-if-present is false, not rendering it`);
      continue;
    }
    try {
      const text = await loadTemplate(platform, file['template-path']);
      rendered.push({ name, path: file.path, content: renderTemplate(text, model, file['template-path']), mode: parseMode(name, file.mode) });
    } catch (error) {
      if (mode === 'strict') throw new BrktError(error instanceof BrktError ? error.code : 'io', `Cannot render configuration file ${name} (${file.path}): ${messageOf(error)}`, { cause: error });
      report.skipped.push({ file: name, reason: messageOf(error) });
      log(`applier: skipped ${name} (${file.path}): ${messageOf(error)}`);
    }
  }
  return rendered;
}

function parseMode(name: string, mode: string | undefined): number {
  if (mode === undefined) return DEFAULT_MODE;
  if (!/^[0-7]{3,4}$/.test(mode)) throw new BrktError('invalid-input', `Configuration file ${name} has an invalid mode '${mode}': expected an octal number such as 0644`);
  return parseInt(mode, 8);
}

async function writeFiles(platform: Platform, files: RenderedFile[], keys: string[], report: ApplyReport, timeoutMs: number) {
  for (const file of files) {
    // Atomic: a service that reads the file meanwhile sees the old or the new content, never a mix.
    await platform.files.writeAtomic(platform.path(file.path), file.content, { mode: file.mode });
    report.written.push(file.path);
  }
  // Later upstream: new or changed units only take effect after systemd re-reads them.
  if (files.some(file => file.path.startsWith('/etc/systemd/'))) {
    await restartService(platform, 'systemd', ['/bin/systemctl daemon-reload'], keys, report, timeoutMs);
  }
}

/** A restart command that failed, timed out or could not start. */
class RestartFailure extends BrktError {
  constructor(readonly command: string, message: string) {
    super('io', message);
  }
}

/** Runs a service's commands in order; the first failure stops the run, naming service and command. */
async function restartService(platform: Platform, service: string, commands: string[], keys: string[], report: ApplyReport, timeoutMs: number) {
  for (const command of commands) {
    // Upstream splits on single spaces with no shell and no quoting; empty words carry nothing.
    const argv = command.split(' ').filter(word => word !== '');
    if (argv.length === 0) throw new BrktError('invalid-input', `Service ${service} has an empty restart command`);
    const result = await platform.runRestartCommand(service, argv, keys, { timeoutMs });
    if (result.code !== 0 || result.timedOut) {
      const why = result.timedOut ? `timed out after ${timeoutMs / 1000} s` : `exited with ${result.code}`;
      const detail = result.stderr.trim().split('\n')[0];
      throw new RestartFailure(command, `Restart command '${command}' of service ${service} ${why}${detail ? `: ${detail}` : ''}`);
    }
    report.restarted.push({ service, command });
  }
}
