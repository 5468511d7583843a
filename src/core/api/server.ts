// The settings API server: routes of api.md sections 6-8 over the datastore, an in-memory view
// of live data for reads, one write lock for changes. Mirrors upstream apiserver's server/mod.rs
// and controller.rs; listening is the platform's (`Platform.serveHttp`).
import type { TSchema } from '@sinclair/typebox';
import { ApiError, toApiError } from './api-error';
import { CommitHistory } from './history';
import { LiveView, type Area } from './live-view';
import { KeyedMutex, Mutex } from './mutex';
import { osInfoFrom, type OsInfo } from './os-info';
import { jsonBodyText, keyOf, listOf, MAX_BODY_BYTES, parseQuery, prefixOf, transactionOf, type Query } from './request';
import { NO_REBOOT, NO_UPDATES, type RebootAction, type UpdateAction, type UpdateActions } from './updates';
import type { Applier } from './applier';
import { documentFromKeypairs } from './keypair';
import { Lockdown } from './lockdown';
import { configureNetwork } from './network-configure';
import { settingGeneratorsV1, settingGeneratorsV2 } from './setting-generators';
import { strengthOf } from './strength-query';
import { pendingTransactionJson, strengthCheck } from './strength-commit';
import { Datastore, isTombstone, TOMBSTONE, type StoredValue } from '../datastore/store';
import { strengthMetadataFor } from '../datastore/strength';
import { parseJson } from '../datastore/json-text';
import { flatten } from '../datastore/pairs';
import { keyFromSegments, type Key } from '../datastore/key';
import { BrktError, messageOf } from '../errors';
import { ConfigurationFiles, Services, settingsSchema } from '../model/settings';
import { validateModel } from '../model/validate';
import type { HttpListener, Platform, Upgrade } from '../../platform/types';
import { execRoute } from '../exec/route';

export interface ApiServerOptions {
  /** Default: the platform's `run/api.sock` (or `--socket` / `BRKT_SOCKET`). */
  socket?: string;
  /** Group of the socket file (upstream `--socket-gid`). */
  gid?: number;
  /** Default: the platform's `var/lib/bottlerocket/datastore/current`. */
  datastorePath?: string;
  /** Called after /tx/apply and /tx/commit_and_apply; none: applying succeeds and does nothing. */
  applier?: Applier;
  updates?: UpdateActions;
  reboot?: RebootAction;
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

type Handler = (query: Query, request: Request, upgrade: Upgrade) => Promise<Response> | Response;

const JSON_HEADERS = { 'content-type': 'application/json' };
const TEXT_HEADERS = { 'content-type': 'text/plain; charset=utf-8' };
const json = (body: string) => new Response(body, { headers: JSON_HEADERS });
const noContent = () => new Response(null, { status: 204 });
const notFound = () => new Response(null, { status: 404 });
const AREAS: Area[] = ['settings', 'services', 'configuration-files'];
const OS_FIELDS = ['pretty_name', 'variant_id', 'version_id', 'build_id', 'arch'] as const;

/** `fit` of api.md 5: which part of an area a prefix selects, if any. */
function fit(given: string, area: string): string | undefined {
  if (area.startsWith(given)) return area;
  if (given.startsWith(area)) return given;
  return undefined;
}

/** Endpoint prefixes (api.md 5, v1.5): `motd` means `settings.motd` on /settings. */
const completePrefix = (given: string, word: string) => (given.startsWith(word) ? given : `${word}.${given}`);

const historyPathOf = (platform: Platform) => `${platform.paths.state}/settings-history.jsonl`;

/** Longest error message answered: one that lists every key of a large commit stays readable. */
export const MAX_MESSAGE_CHARS = 1000;

/** `message`, cut to at most MAX_MESSAGE_CHARS characters, saying how much was cut. */
export function boundedMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  const keep = MAX_MESSAGE_CHARS - 60;
  return `${message.slice(0, keep)} ... (${message.length - keep} more characters)`;
}

export class ApiServer {
  /**
   * Upstream holds one exclusive lock for every write. Here writes to different transactions
   * touch different directories and may overlap; each transaction has its own lock (a reader of
   * a transaction never sees half a PATCH), and commits also take `liveLock`, since they write live/.
   */
  private readonly txLocks = new KeyedMutex();
  private readonly liveLock = new Mutex();
  private readonly commitQueue: Array<{ tx: string; resolve: (values: StoredValue[]) => void; reject: (error: unknown) => void }> = [];
  private committing = false;
  private readonly routes = new Map<string, Handler>();
  private listener?: HttpListener;
  private lockdown!: Lockdown;

  private constructor(
    readonly platform: Platform,
    readonly store: Datastore,
    private readonly view: LiveView,
    private readonly history: CommitHistory,
    private readonly os: OsInfo | ApiError,
    private readonly settings: TSchema,
    private readonly options: ApiServerOptions,
  ) {
    this.addRoutes();
  }

  /**
   * Opens the datastore (finishing a commit a crash interrupted), loads live data into memory
   * and reads os-release. The variant's settings schema comes from os-release's VARIANT_ID.
   */
  static async open(platform: Platform, options: ApiServerOptions = {}): Promise<ApiServer> {
    const path = options.datastorePath ?? platform.paths.datastore;
    const store = new Datastore(platform.files, path, platform.writeFilesAtomic, { soleWriter: true, syncFilesystem: platform.syncFilesystem });
    if (!(await platform.files.exists(path))) {
      throw new BrktError('not-found', `Datastore does not exist at ${path}, did storewolf run? ('brkt boot' creates it)`);
    }
    for (const line of await store.recover()) options.log?.(`apiserver: datastore recovery: ${line}`);
    const live = await store.loadLive();
    let os: OsInfo | ApiError;
    try {
      os = osInfoFrom(await platform.files.readTextIfExists(platform.paths.osRelease), platform.arch);
    } catch (error) {
      os = toApiError(error, 'Unable to get OS release data'); // answered by /os, not fatal at start
    }
    const settings = settingsSchema(os instanceof ApiError ? undefined : os.variant_id);
    const view = new LiveView(live.data, live.metadata, { settings, services: Services, 'configuration-files': ConfigurationFiles });
    const history = await CommitHistory.load(platform.files, historyPathOf(platform));
    const server = new ApiServer(platform, store, view, history, os, settings, options);
    server.lockdown = await Lockdown.load(platform, path);
    return server;
  }

  get socket(): string {
    return this.options.socket ?? this.platform.paths.apiSocket;
  }

  /** Starts serving on the socket; a live server already there is refused. */
  async listen(): Promise<HttpListener> {
    this.listener = await this.platform.serveHttp({
      socket: this.socket,
      gid: this.options.gid,
      maxBodyBytes: this.options.maxBodyBytes ?? MAX_BODY_BYTES,
      handler: (request, upgrade) => this.handle(request, upgrade),
    });
    return this.listener;
  }

  /** Stops serving and removes the socket file; waits for writes in progress to finish. */
  async stop(): Promise<void> {
    await this.listener?.stop();
    await this.liveLock.run(async () => undefined);
    await this.store.settled();
    await this.history.settled();
  }

  /** One request in, one response out; never throws. */
  async handle(request: Request, upgrade: Upgrade = () => false): Promise<Response> {
    const url = request.url;
    const start = url.indexOf('/', url.indexOf('//') + 2);
    const mark = url.indexOf('?', start);
    const path = mark === -1 ? url.slice(start) : url.slice(start, mark);
    const handler = this.routes.get(`${request.method} ${path}`);
    if (!handler) return notFound(); // unknown path or method: empty 404 (api.md 2)
    try {
      if (this.lockdown.active) this.lockdown.refuse(request.method, path, parseQuery(url));
      return await handler(parseQuery(url), request, upgrade);
    } catch (error) {
      const apiError = toApiError(error, 'Data store error');
      const message = boundedMessage(apiError.message);
      if (apiError.status >= 500) this.options.log?.(`apiserver: ${request.method} ${path}: ${message}`);
      return new Response(message, { status: apiError.status, headers: TEXT_HEADERS });
    }
  }

  private route(method: string, path: string, handler: Handler) {
    this.routes.set(`${method} ${path}`, handler);
  }

  private addRoutes() {
    this.route('GET', '/', query => this.getModel(query));
    this.route('GET', '/settings', query => this.getSettings(query));
    this.route('PATCH', '/settings', (query, request) => this.patchSettings(query, request));
    this.route('PATCH', '/settings/keypair', (query, request) => this.patchKeypairs(query, request));
    this.route('DELETE', '/settings', query => this.deleteSettings(query));
    this.route('GET', '/tx', query => this.getTransaction(query));
    this.route('GET', '/v2/tx', query => this.getTransactionV2(query));
    this.route('DELETE', '/tx', query => this.deleteTransaction(query));
    this.route('GET', '/tx/list', async () => json(JSON.stringify(await this.store.listTransactions())));
    this.route('GET', '/tx/history', () => json(JSON.stringify(this.history.list())));
    this.route('POST', '/tx/commit', async query => json(JSON.stringify(await this.commit(transactionOf(query)))));
    this.route('POST', '/tx/apply', query => this.apply(query));
    this.route('POST', '/tx/commit_and_apply', query => this.commitAndApply(query));
    this.route('GET', '/os', query => this.getOs(query));
    this.route('GET', '/metadata/affected-services', query => this.getMetadata(query, 'affected-services'));
    this.route('GET', '/metadata/templates', query => this.getMetadata(query, 'template'));
    this.route('GET', '/metadata/setting-generators', () => json(settingGeneratorsV1(this.view)));
    this.route('GET', '/v2/metadata/setting-generators', () => json(settingGeneratorsV2(this.view)));
    this.route('GET', '/services', query => this.getNamed(query, 'services'));
    this.route('GET', '/configuration-files', query => this.getNamed(query, 'configuration-files'));
    const updates = this.options.updates ?? NO_UPDATES;
    this.route('GET', '/updates/status', async () => json(JSON.stringify(await updates.status())));
    for (const action of ['refresh', 'prepare', 'activate', 'deactivate'] as UpdateAction[]) {
      this.route('POST', `/actions/${action}-update${action === 'refresh' ? 's' : ''}`, async () => {
        await updates.run(action);
        return noContent();
      });
    }
    this.route('GET', '/exec', (_query, request, upgrade) => execRoute(this.platform, request, upgrade, this.options.log));
    this.route('POST', '/actions/reboot', async () => {
      await (this.options.reboot ?? NO_REBOOT)();
      return noContent();
    });
    this.route('POST', '/actions/lockdown', async () => {
      await this.lockdown.engage();
      return noContent();
    });
    this.route('POST', '/actions/network/configure', (_query, request) => configureNetwork(this.platform, request, this.options.maxBodyBytes));
  }

  private areaJsonOr404(area: Area): string {
    const body = this.view.areaJson(area);
    if (body === undefined) throw new ApiError(404, `Found no '${area}' in datastore`);
    return body;
  }

  private osJson(): OsInfo {
    if (this.os instanceof ApiError) throw this.os;
    return this.os;
  }

  /** Values under an area's prefix as its document, or undefined when nothing matches. */
  private prefixed(area: Area, prefix: string): Record<string, unknown> | undefined {
    const values = this.view.withPrefix(prefix);
    return values.length ? this.view.document(area, values) : undefined;
  }

  private osFields(remainder: string): Record<string, string> {
    const os = this.osJson();
    return Object.fromEntries(OS_FIELDS.filter(name => name.startsWith(remainder)).map(name => [name, os[name]]));
  }

  private getModel(query: Query): Response {
    const prefix = prefixOf(query);
    if (prefix === undefined) {
      const parts = AREAS.map(area => `${JSON.stringify(area)}:${this.areaJsonOr404(area)}`);
      return json(`{${parts.join(',')},"os":${JSON.stringify(this.osJson())}}`);
    }
    const model: Record<string, unknown> = {};
    for (const area of AREAS) {
      const selected = fit(prefix, `${area}.`);
      const document = selected === undefined ? undefined : this.prefixed(area, selected);
      if (document) model[area] = document;
    }
    const os = fit(prefix, 'os.');
    if (os !== undefined) {
      const fields = this.osFields(os.slice('os.'.length));
      if (Object.keys(fields).length) model.os = fields;
    }
    return json(JSON.stringify(model));
  }

  private getSettings(query: Query): Response {
    const keys = listOf(query, 'keys');
    if (keys) {
      const found: StoredValue[] = [];
      for (const name of keys) {
        const key = keyOf(name);
        if (key.segments[0] !== 'settings') continue; // only settings live here (`motd` finds nothing)
        const value = this.view.get(key);
        if (value) found.push(value);
        // Upstream answers 500 here; it is the client's mistake, so brkt answers 400.
        else if (this.view.isInterior(key)) throw new ApiError(400, `Unable to read '${key.name}': it is a group of settings, not a single value (use prefix for a subtree)`);
      }
      return json(JSON.stringify(found.length ? this.view.document('settings', found) : {}));
    }
    const prefix = prefixOf(query);
    if (prefix !== undefined) {
      const selected = fit(completePrefix(prefix, 'settings'), 'settings.');
      return json(JSON.stringify((selected && this.prefixed('settings', selected)) ?? {}));
    }
    return json(this.areaJsonOr404('settings'));
  }

  private async patchSettings(query: Query, request: Request): Promise<Response> {
    const tx = transactionOf(query);
    const strength = strengthOf(query);
    const text = await jsonBodyText(request, this.options.maxBodyBytes);
    let pairs;
    try {
      const parsed = parseJson(text);
      const document = validateModel(this.settings, parsed.value, { root: 'settings', floats: parsed.floats });
      pairs = flatten(document, ['settings'], parsed.floats);
    } catch (error) {
      if (error instanceof BrktError && error.message.startsWith('Error serializing')) throw new ApiError(400, error.message);
      throw new ApiError(400, `Json deserialize error: ${messageOf(error)}`);
    }
    if (pairs.length) {
      await this.txLocks.run(tx, () => this.store.setKeys(pairs, tx, strengthMetadataFor(pairs, strength)));
    }
    return noContent();
  }

  /** Later upstream (api.md 6.4): `apiclient set key=value` typed and validated by the server. */
  private async patchKeypairs(query: Query, request: Request): Promise<Response> {
    const tx = transactionOf(query);
    const strength = strengthOf(query);
    const text = await jsonBodyText(request, this.options.maxBodyBytes);
    let body: unknown;
    try {
      body = parseJson(text).value;
    } catch (error) {
      throw new ApiError(400, `Json deserialize error: ${messageOf(error)}`);
    }
    const payload = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).request_payload : undefined;
    const { document, floats } = documentFromKeypairs(payload);
    let pairs;
    try {
      pairs = flatten(validateModel(this.settings, document, { root: 'settings', floats }), ['settings'], floats);
    } catch (error) {
      throw new ApiError(400, `Unable to match your input to the data model.  We may not have enough type information.  Please try the --json input form.  Cause: ${messageOf(error)}`);
    }
    if (pairs.length) await this.txLocks.run(tx, () => this.store.setKeys(pairs, tx, strengthMetadataFor(pairs, strength)));
    return noContent();
  }

  /** brkt: stages removal of keys (and everything under them) in a transaction. */
  private async deleteSettings(query: Query): Promise<Response> {
    const tx = transactionOf(query);
    const keys = listOf(query, 'keys', true)!.map(name => {
      const key = keyOf(name);
      if (key.segments[0] !== 'settings' || key.segments.length < 2) {
        throw new ApiError(400, `Unable to remove '${name}': only keys under 'settings.' can be removed`);
      }
      return key;
    });
    await this.txLocks.run(tx, async () => {
      const pending = (await this.store.getPrefix('settings.', tx)).filter(value => !isTombstone(value.text));
      const removals = new Map<string, Key>();
      for (const key of keys) {
        const under = (name: string) => name === key.name || name.startsWith(key.name + '.');
        const matches = [...this.view.withPrefix(key.name).map(value => value.key), ...pending.map(value => value.key)].filter(k => under(k.name));
        if (matches.length === 0) throw new ApiError(404, `Found no '${key.name}' in datastore`);
        for (const match of matches) removals.set(match.name, match);
      }
      await this.store.setKeys([...removals.values()].map(key => ({ key, text: TOMBSTONE })), tx);
    });
    return noContent();
  }

  private getTransaction(query: Query): Promise<Response> {
    const tx = transactionOf(query);
    return this.txLocks.run(tx, async () => {
      const values = (await this.store.getPrefix('settings.', tx)).filter(value => !isTombstone(value.text));
      return json(JSON.stringify(values.length ? this.view.document('settings', values) : {}));
    });
  }

  /** GET /v2/tx (settings-now.md 3.1): pending settings and pending metadata as stored text. */
  private getTransactionV2(query: Query): Promise<Response> {
    const tx = transactionOf(query);
    return this.txLocks.run(tx, async () => {
      const values = (await this.store.getPrefix('settings.', tx)).filter(value => !isTombstone(value.text));
      const settings = values.length ? this.view.document('settings', values) : {};
      return json(pendingTransactionJson(settings, await this.store.getPendingMetadata(tx)));
    });
  }

  private deleteTransaction(query: Query): Promise<Response> {
    const tx = transactionOf(query);
    return this.txLocks.run(tx, async () => json(JSON.stringify((await this.store.deleteTransaction(tx)).map(key => key.name))));
  }

  /**
   * Commits `tx` under its lock. Commits that arrive while another is writing wait in a queue
   * and go together as the next batch (group commit: one marker, one round of fsyncs); each
   * still gets its own answer, history entry and 422 when it had nothing pending.
   */
  private commit(tx: string): Promise<string[]> {
    return this.txLocks.run(tx, () => new Promise<StoredValue[]>((resolve, reject) => {
      this.commitQueue.push({ tx, resolve, reject });
      void this.drainCommits();
    }).then(committed => {
      if (committed.length === 0) throw new ApiError(422, 'Tried to commit with no pending changes');
      return committed.map(value => value.key.name);
    }));
  }

  private async drainCommits() {
    if (this.committing) return;
    this.committing = true;
    try {
      while (this.commitQueue.length) {
        const batch = this.commitQueue.splice(0);
        await this.liveLock.run(async () => {
          let results;
          try {
            results = await this.store.commitChecked(batch.map(entry => entry.tx), strengthCheck(this.view));
          } catch (error) {
            for (const entry of batch) entry.reject(error);
            return;
          }
          batch.forEach((entry, i) => {
            const outcome = results[i]!;
            if ('rejected' in outcome) return entry.reject(outcome.rejected);
            const committed = outcome.committed;
            if (committed.length) {
              const before = new Map(committed.map(value => [value.key.name, this.view.get(value.key)?.text]));
              this.view.applyCommit(committed, outcome.metadata);
              // Recorded in the background: the commit is durable already, the history only informs.
              this.history.record(entry.tx, committed, name => before.get(name), this.platform.now()).catch(error => {
                this.options.log?.(`apiserver: could not record the commit of '${entry.tx}' in the history: ${messageOf(error)}`);
              });
            }
            entry.resolve(committed);
          });
        });
      }
    } finally {
      this.committing = false;
    }
  }

  /**
   * Runs the applier outside the write lock: the applier reads settings back through this API,
   * and reads never wait for the lock, so an apply can't deadlock the server.
   */
  private async runApplier(keys: string[] | undefined) {
    if (!this.options.applier) return;
    try {
      await this.options.applier(keys ? { keys } : {});
    } catch (error) {
      throw new ApiError(500, `Config applier failed: ${messageOf(error)}`);
    }
  }

  private async apply(query: Query): Promise<Response> {
    if (this.lockdown.active) {
      // Upstream starts the applier and answers 204; the applier then fails on the datastore.
      this.runApplier(listOf(query, 'keys')).catch(error => this.options.log?.(`apiserver: ${messageOf(error)}`));
      return noContent();
    }
    await this.runApplier(listOf(query, 'keys'));
    return noContent();
  }

  private async commitAndApply(query: Query): Promise<Response> {
    const keys = await this.commit(transactionOf(query));
    await this.runApplier(keys);
    return json(JSON.stringify(keys));
  }

  private getOs(query: Query): Response {
    const prefix = prefixOf(query);
    if (prefix === undefined) return json(JSON.stringify(this.osJson()));
    const selected = fit(completePrefix(prefix, 'os'), 'os.');
    return json(JSON.stringify(selected === undefined ? {} : this.osFields(selected.slice('os.'.length))));
  }

  private parseMetadata(meta: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ApiError(500, `Metadata '${meta}' is not valid JSON: ${messageOf(error)}`);
    }
  }

  private getMetadata(query: Query, meta: string): Response {
    const out: Record<string, unknown> = {};
    for (const name of listOf(query, 'keys', true)!) {
      const text = this.view.inheritedMetadata(keyOf(name), meta);
      if (text !== undefined) out[name] = this.parseMetadata(meta, text);
    }
    return json(JSON.stringify(out));
  }

  /** /services and /configuration-files: `names` (whole segments, brkt decision), `prefix`, or all. */
  private getNamed(query: Query, area: 'services' | 'configuration-files'): Response {
    const names = listOf(query, 'names');
    if (names) {
      const values: StoredValue[] = [];
      for (const name of names) {
        let key: Key;
        try {
          key = keyFromSegments([area, name]);
        } catch (error) {
          throw new ApiError(400, `Unable to make data key '${area}.${name}': ${messageOf(error)}`);
        }
        const found = this.view.withPrefix(key.name + '.');
        if (found.length === 0) throw new ApiError(404, `Found no '${key.name}' in datastore`);
        values.push(...found);
      }
      return json(JSON.stringify(this.view.document(area, values)));
    }
    const prefix = prefixOf(query);
    if (prefix !== undefined) {
      const selected = fit(completePrefix(prefix, area), `${area}.`);
      return json(JSON.stringify((selected && this.prefixed(area, selected)) ?? {}));
    }
    return json(this.areaJsonOr404(area));
  }
}
