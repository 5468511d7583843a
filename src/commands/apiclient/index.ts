// The `apiclient` role: upstream's command line and output, so scripts written for it keep
// working (apiclient.md). Usage errors print the message, a blank line and the usage text.
import { BrktError, EXIT_CODE, messageOf } from '../../core/errors';
import { ApiClient, ApiStatusError, randomSuffix } from '../../core/client/api-client';
import { deepMerge, sortedJson, type Json } from '../../core/client/deep-merge';
import { UPDATE_ACTIONS, waitForAction, type UpdateAction } from '../../core/client/update-wait';
import { writeErr, writeOut } from '../output';
import { LOG_LEVELS, USAGE, parseApply, parseGet, parseGlobal, parseLockdown, parseNetwork, parseRaw, parseReboot, parseSet, parseUpdate, type LogLevel } from './args';
import type { RoleRunner } from '../registry';

type Logger = (level: LogLevel, message: string) => void;

const makeLogger = (threshold: LogLevel): Logger => (level, message) => {
  if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(threshold)) return;
  writeErr(`${new Date().toISOString()} [${level.toUpperCase()}] ${message}\n`);
};

/** Wraps an error's message in upstream's context chain (`Failed to change settings: ...`). */
function context(prefix: string, error: unknown): BrktError {
  const code = error instanceof BrktError ? error.code : 'io';
  return new BrktError(code === 'usage' ? 'usage' : 'io', `${prefix}: ${messageOf(error)}`, { cause: error });
}

async function request(client: ApiClient, method: string, uri: string, body?: string) {
  try {
    return await client.checked(method, uri, body);
  } catch (error) {
    throw context(`Failed ${method} request to '${uri}'`, error);
  }
}

export const runRole: RoleRunner = async (argv, { platform }) => {
  try {
    const global = parseGlobal(argv);
    if (global.help) {
      writeErr(USAGE);
      return 2;
    }
    const log = makeLogger(global.logLevel);
    const socket = global.socket ?? platform.paths.apiSocket;
    const client = ApiClient.on(platform, socket);
    const args = global.args;
    switch (global.subcommand) {
      case 'raw': {
        const raw = parseRaw(args);
        const reply = await request(client, raw.method, raw.uri, raw.data);
        log('debug', `${reply.status} ${reply.statusText}`);
        if (reply.body) writeOut(reply.body + '\n');
        return 0;
      }
      case 'get': {
        const get = parseGet(args);
        const value = await getSettings(client, get).catch(error => {
          throw context('Failed to get settings', error);
        });
        if (!get.canonicalize) writeOut(sortedJson(value) + '\n');
        else writeOut((await import('../../core/client/get-output')).canonicalJson(value) + '\n');
        return 0;
      }
      case 'set': {
        const set = parseSet(args);
        const tx = `apiclient-set-${randomSuffix()}`;
        try {
          if ('pairs' in set) {
            await request(client, 'PATCH', `/settings/keypair?tx=${tx}`, JSON.stringify({ request_payload: set.pairs }));
          } else {
            const { settingsFromJsonArgument } = await import('../../core/client/settings-input');
            await request(client, 'PATCH', `/settings?tx=${tx}`, JSON.stringify(settingsFromJsonArgument(set.json)));
          }
          await request(client, 'POST', `/tx/commit_and_apply?tx=${tx}`);
        } catch (error) {
          if (error instanceof BrktError && error.code === 'usage') throw error;
          throw context('Failed to change settings', error);
        }
        return 0;
      }
      case 'apply': {
        const sources = parseApply(args);
        await applySettings(client, sources).catch(error => {
          throw context('Failed to apply settings', error);
        });
        return 0;
      }
      case 'lockdown': {
        parseLockdown(args);
        await request(client, 'POST', '/actions/lockdown').catch(error => {
          throw context('Failed to lockdown', error);
        });
        log('info', 'Lockdown completed');
        return 0;
      }
      case 'network': {
        const { configureNetwork } = await import('./network');
        await configureNetwork(client, parseNetwork(args).source);
        return 0;
      }
      case 'update':
        return await runUpdate(client, parseUpdate(args), log);
      case 'reboot': {
        parseReboot(args);
        await request(client, 'POST', '/actions/reboot').catch(error => {
          throw context('Failed to reboot', error);
        });
        log('info', 'Rebooting, goodbye...');
        return 0;
      }
      case 'exec': {
        const { parseExec, runExec } = await import('./exec');
        return await runExec(socket, parseExec(args));
      }
      default:
        throw new BrktError('usage', `The '${global.subcommand}' subcommand is not available in brkt`);
    }
  } catch (error) {
    if (error instanceof BrktError) {
      if (error.code === 'usage') {
        writeErr(`${error.message}\n\n${USAGE}`);
        return 2;
      }
      writeErr(`${error.message}\n`);
      return EXIT_CODE[error.code] === 2 ? 1 : EXIT_CODE[error.code];
    }
    throw error;
  }
};

async function getSettings(client: ApiClient, get: ReturnType<typeof parseGet>): Promise<Json> {
  // A failed request says which (get.rs), an unparsable reply does not.
  const getJson = (uri: string) => client.getJson<Json>(uri).catch(error => {
    throw error instanceof ApiStatusError ? context(`Failed GET request to '${uri}'`, error) : error;
  });
  if ('uri' in get) return getJson(get.uri);
  let merged: Json = {};
  for (const prefix of get.prefixes) merged = deepMerge(merged, await getJson(`/?prefix=${encodeURIComponent(prefix)}`));
  if (!get.exclude.length) return merged;
  return (await import('../../core/client/get-output')).excludePrefixes(merged, get.exclude);
}

async function applySettings(client: ApiClient, sources: string[]) {
  const [{ readInputs }, { settingsFromDocument }] = await Promise.all([
    import('../../platform/uri-sources'),
    import('../../core/client/settings-input'),
  ]);
  // Everything is read and parsed before the first request, so a bad input sends nothing.
  const texts = await readInputs(sources).catch(error => {
    throw new BrktError('io', `Resolver failed: ${messageOf(error)}`, { cause: error });
  });
  const documents = [];
  for (const [index, text] of texts.entries()) documents.push(await settingsFromDocument(sources[index]!, text));
  const tx = `apiclient-apply-${randomSuffix()}`;
  for (const document of documents) await request(client, 'PATCH', `/settings?tx=${tx}`, JSON.stringify(document));
  await request(client, 'POST', `/tx/commit_and_apply?tx=${tx}`);
}

async function runUpdate(client: ApiClient, update: ReturnType<typeof parseUpdate>, log: Logger): Promise<number> {
  const hooks = { sleep: (ms: number) => Bun.sleep(ms), log: (message: string) => log('info', message) };
  const wait = (action: UpdateAction) => waitForAction(client, action, hooks);
  const check = async () => {
    log('info', 'Refreshing updates...');
    const body = await wait(UPDATE_ACTIONS.check);
    try {
      writeOut(sortedJson(JSON.parse(body)) + '\n');
    } catch {
      log('warn', 'Update status was not JSON; printing it as received');
      writeOut(body + '\n');
    }
    return body;
  };
  if (update.verb === 'check') {
    await check();
    return 0;
  }
  if (update.verb === 'cancel') {
    log('info', 'Canceling update...');
    await wait(UPDATE_ACTIONS.cancel);
    return 0;
  }
  return applyUpdate(client, update, log, check, wait);
}

async function applyUpdate(
  client: ApiClient,
  update: { check: boolean; reboot: boolean },
  log: Logger,
  check: () => Promise<string>,
  wait: (action: UpdateAction) => Promise<string>,
): Promise<number> {
  if (update.check) {
    let state: string | undefined;
    const body = await check();
    try {
      state = JSON.parse(body).update_state;
    } catch {
      state = undefined;
    }
    if (state === 'Idle') {
      log('info', 'No updates available.');
      return 0;
    }
    if (state === 'Ready') {
      log('info', 'Update already applied; reboot for it to take effect, or request a cancel.');
      return 0;
    }
  }
  log('info', 'Downloading and applying update to disk...');
  await wait(UPDATE_ACTIONS.prepare).catch(error => {
    throw new BrktError('io', `Failed to prepare update.  This could mean that we don't have a list of updates yet or that an update is already applied.  Running 'apiclient update check' will help you find out.  You can cancel an applied ('Ready') update with 'apiclient update cancel' if desired.  Detail: ${messageOf(error)}`);
  });
  log('info', 'Setting the update active so it will apply on the next reboot...');
  await wait(UPDATE_ACTIONS.activate);
  if (update.reboot) {
    await request(client, 'POST', '/actions/reboot').catch(error => {
      throw context('Failed to reboot', error);
    });
    log('info', 'Rebooting, goodbye...');
  } else {
    log('info', 'Update has been applied and will take effect on next reboot.');
  }
  return 0;
}

export const commands = [];
