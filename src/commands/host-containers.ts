// The host-containers, bootstrap-containers and host-ctr roles (boot-config.md 4-5), with
// upstream's flags. Each is a restart command or a unit's ExecStart, so output is log lines.
import { BrktError, EXIT_CODE, messageOf } from '../core/errors';
import { ApiClient } from '../core/client/api-client';
import { manageHostContainers, type ManageReport } from '../core/host-containers/manage';
import { createBootstrapContainers, markBootstrap } from '../core/bootstrap-containers/manage';
import { cleanUp, runHostContainer, UPSTREAM_TIMING } from '../core/host-containers/host-ctr';
import { containerIdOf } from '../core/host-containers/container-spec';
import { writeErr } from './output';
import type { RoleRunner } from './registry';

const log = (line: string) => writeErr(`${line}\n`);

/** `--name=value` or `--name value`; flags without a value are `true`. */
export function parseFlags(args: string[], known: Record<string, 'value' | 'flag'>): { flags: Record<string, string>; rest: string[] } {
  const flags: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) {
      rest.push(arg);
      continue;
    }
    const [rawName, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = rawName.replace(/^--?/, '');
    const kind = known[name];
    if (!kind) throw new BrktError('usage', `Unknown argument '${arg}'`);
    if (kind === 'flag') flags[name] = inline ?? 'true';
    else {
      const value = inline ?? args[++i];
      if (value === undefined) throw new BrktError('usage', `Missing value for --${name}`);
      flags[name] = value;
    }
  }
  return { flags, rest };
}

async function guarded(shown: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof BrktError)) throw error;
    writeErr(`${shown}: ${error.message}\n`);
    return EXIT_CODE[error.code];
  }
}

function failures(report: ManageReport, what: string): number {
  if (report.failed.length === 0) return 0;
  writeErr(`Failed to manage ${report.failed.length} of ${report.handled.length + report.failed.length} ${what}\n`);
  return 1;
}

const clientOf = (platform: Parameters<RoleRunner>[1]['platform'], flags: Record<string, string>) => ApiClient.on(platform, flags['socket-path'] ?? platform.paths.apiSocket);

export const runHostContainers: RoleRunner = (args, { shown, platform }) =>
  guarded(shown, async () => {
    const { flags } = parseFlags(args, { 'socket-path': 'value', 'config-path': 'value', 'log-level': 'value' });
    const changed = (platform.env('CHANGED_SETTINGS') ?? '').split(' ').filter(Boolean);
    return failures(await manageHostContainers(platform, clientOf(platform, flags), changed, log), 'host containers');
  });

export const runBootstrapContainers: RoleRunner = (args, { shown, platform }) =>
  guarded(shown, async () => {
    const { flags, rest } = parseFlags(args, { 'socket-path': 'value', 'config-path': 'value', 'log-level': 'value', 'container-id': 'value', mode: 'value' });
    const [subcommand] = rest;
    if (subcommand === 'create-containers') return failures(await createBootstrapContainers(platform, clientOf(platform, flags), log), 'bootstrap containers');
    if (subcommand === 'mark-bootstrap') {
      const name = flags['container-id'];
      const mode = flags.mode;
      if (!name || !mode) throw new BrktError('usage', 'mark-bootstrap needs --container-id and --mode');
      if (await markBootstrap(clientOf(platform, flags), name, mode)) log(`bootstrap-containers: ${name}: mode set to off after its run`);
      return 0;
    }
    throw new BrktError('usage', `Usage: bootstrap-containers [--socket-path PATH] create-containers | mark-bootstrap --container-id ID --mode MODE`);
  });

const isTrue = (value: string | undefined) => value === 'true' || value === '1';

export const runHostCtr: RoleRunner = (args, { shown, platform }) =>
  guarded(shown, async () => {
    const { flags, rest } = parseFlags(args, {
      'container-id': 'value', source: 'value', superpowered: 'value', 'container-type': 'value',
      'registry-config': 'value', 'use-cached-image': 'flag', 'containerd-socket': 'value',
    });
    const [subcommand] = rest;
    const name = flags['container-id'];
    if (!name) throw new BrktError('usage', 'host-ctr needs --container-id');
    const type = flags['container-type'] ?? 'host';
    if (type !== 'host' && type !== 'bootstrap') throw new BrktError('usage', `Invalid --container-type '${type}': expected host or bootstrap`);
    if (subcommand === 'clean-up') {
      await cleanUp(platform.containers, containerIdOf(name, type));
      return 0;
    }
    if (subcommand !== 'run') throw new BrktError('usage', 'Usage: host-ctr run --container-id ID --source REF [--superpowered BOOL] [--container-type host|bootstrap] | clean-up --container-id ID');
    const source = flags.source;
    if (!source) throw new BrktError('usage', 'host-ctr run needs --source');
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      const code = await runHostContainer(platform, { name, source, type, superpowered: type === 'host' && isTrue(flags.superpowered), useCachedImage: isTrue(flags['use-cached-image']) }, stop.signal, UPSTREAM_TIMING, log);
      if (code !== 0) writeErr(`host-ctr: container ${containerIdOf(name, type)} exited with ${code}\n`);
      return code === 0 ? 0 : 1;
    } catch (error) {
      throw error instanceof BrktError ? error : new BrktError('io', messageOf(error), { cause: error });
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  });

export const commands = [];
