// The TUF client of the updater: trusted root from usr/share/updog/root.json, root rotation,
// timestamp, snapshot and targets with tough's size limits (updates.md 1.4), verified by
// tuf-js's TrustedMetadataStore and kept in a persistent directory under the root (1.5).
import { createHash } from 'node:crypto';
import type { Root, TargetFile } from '@tufjs/models';
import { EqualVersionError } from 'tuf-js/dist/error';
import { TrustedMetadataStore } from 'tuf-js/dist/store';
import { BrktError, messageOf } from '../errors';
import type { Platform } from '../../platform/types';
import { formatInstant, instantFromDate, parseInstant } from './datetime';
import { parseManifest, type Manifest } from './manifest';
import { joinUrl, QueryParams } from './query-params';
import { tufFailure, type TufStep } from './tuf-errors';

/** tough's limits (tuf-js's own defaults are smaller). */
export const ROOT_MAX_BYTES = 1 << 20;
export const TIMESTAMP_MAX_BYTES = 1 << 20;
export const SNAPSHOT_MAX_BYTES = 1 << 20;
export const TARGETS_MAX_BYTES = 10 << 20;
export const MAX_ROOT_UPDATES = 1024;
/** manifest.json and migrations are read whole; images are streamed. */
const SMALL_TARGET_MAX_BYTES = 64 << 20;

export interface RepositoryLocation {
  metadataBaseUrl: string;
  targetsBaseUrl: string;
}

export interface LoadOptions extends RepositoryLocation {
  /** Appended to every request; later additions (target, migrations) apply to later requests. */
  query?: QueryParams;
}

/** A target as the signed targets metadata lists it. */
export interface TargetInfo {
  name: string;
  length: number;
  sha256: string;
}

interface TrustRecord {
  /** SHA-256 of the shipped root.json the cache started from. */
  shippedRoot: string;
  /** The latest time any run saw; the clock must never go back before it. */
  latestKnownTime: string;
}

/** Lets the store check expiry against the platform clock rather than its own. */
function makeStore(rootBytes: Uint8Array, now: Date): TrustedMetadataStore {
  const store = new TrustedMetadataStore(Buffer.from(rootBytes));
  (store as unknown as { referenceTime: Date }).referenceTime = now;
  return store;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A verified view of one update repository. */
export class UpdateRepository {
  private constructor(
    private readonly platform: Platform,
    private readonly location: RepositoryLocation,
    readonly query: QueryParams,
    private readonly store: TrustedMetadataStore,
  ) {}

  /** Loads and verifies the repository's metadata (updates.md 1.4 steps 1 to 8). */
  static async load(platform: Platform, options: LoadOptions): Promise<UpdateRepository> {
    const query = options.query ?? new QueryParams();
    const cache = new TrustCache(platform);
    const now = platform.now();
    const trust = await cache.open(now);
    let store: TrustedMetadataStore;
    try {
      store = makeStore(trust.rootBytes, now);
    } catch (error) {
      throw tufFailure(error, trust.rootPath, 'root');
    }
    const repository = new UpdateRepository(platform, options, query, store);
    await repository.rotateRoot(cache);
    await repository.loadTimestamp(cache);
    await repository.loadSnapshot(cache);
    await repository.loadTargets(cache);
    await cache.recordTime(now);
    return repository;
  }

  get consistentSnapshot(): boolean {
    return this.store.root.signed.consistentSnapshot;
  }

  /** Versions of the trusted metadata, for status output and tests. */
  get versions() {
    return {
      root: this.store.root.signed.version,
      timestamp: this.store.timestamp!.signed.version,
      snapshot: this.store.snapshot!.signed.version,
      targets: this.store.targets!.signed.version,
    };
  }

  private metadataUrl(name: string): string {
    return this.query.apply(joinUrl(this.location.metadataBaseUrl, name));
  }

  /** Reads at most `limit` bytes of a metadata file; undefined when it does not exist. */
  private async fetchMetadata(name: string, limit: number, step: TufStep, optional = false): Promise<Buffer | undefined> {
    const parts: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of this.platform.fetcher.stream(this.metadataUrl(name), { expectedBytes: limit })) {
        size += chunk.length;
        if (size > limit) throw new BrktError('tuf', `Refusing ${name}: larger than its limit of ${limit} bytes (endless data attack)`);
        parts.push(chunk);
      }
    } catch (error) {
      if (optional && error instanceof BrktError && error.code === 'not-found') return undefined;
      if (error instanceof BrktError && error.code === 'not-found') throw new BrktError('tuf', `Failed to load ${name} of the update repository: ${error.message}`);
      throw tufFailure(error, name, step);
    }
    return Buffer.concat(parts);
  }

  /** updates.md 1.4 step 2: follow N+1.root.json until one is not found. */
  private async rotateRoot(cache: TrustCache) {
    const initial = this.store.root.signed.version;
    const before = roleKeys(this.store.root.signed);
    for (;;) {
      const next = this.store.root.signed.version + 1;
      if (next >= initial + MAX_ROOT_UPDATES) {
        throw new BrktError('tuf', `Refusing ${next}.root.json: more than ${MAX_ROOT_UPDATES - 1} root updates in one run (max root updates exceeded)`);
      }
      const name = `${next}.root.json`;
      const bytes = await this.fetchMetadata(name, ROOT_MAX_BYTES, 'rotation', true);
      if (!bytes) break;
      try {
        this.store.updateRoot(bytes);
      } catch (error) {
        throw tufFailure(error, name, 'rotation');
      }
      await cache.write('root.json', bytes);
    }
    // TUF 5.3.11: new timestamp or snapshot keys invalidate what was trusted under the old ones.
    const after = roleKeys(this.store.root.signed);
    if (before.timestamp !== after.timestamp || before.snapshot !== after.snapshot) await cache.forget(['timestamp.json', 'snapshot.json']);
  }

  private async loadTimestamp(cache: TrustCache) {
    const cached = await cache.read('timestamp.json');
    if (cached) {
      try {
        // Kept as the reference for the rollback check even when it has expired since.
        this.store.updateTimestamp(cached);
      } catch {
        // An unverifiable or expired cached copy only loses its rollback protection.
      }
    }
    const bytes = (await this.fetchMetadata('timestamp.json', TIMESTAMP_MAX_BYTES, 'timestamp'))!;
    try {
      this.store.updateTimestamp(bytes);
    } catch (error) {
      if (!(error instanceof EqualVersionError)) {
        throw tufFailure(error, 'timestamp.json', 'timestamp');
      }
      // The same version again: keep the trusted copy, but it must still be valid now.
      if (this.store.timestamp!.signed.isExpired(this.platform.now())) {
        throw new BrktError('tuf', `Refusing timestamp.json: it expired at ${this.store.timestamp!.signed.expires} (freeze attack: the repository serves stale metadata)`);
      }
      return;
    }
    await cache.write('timestamp.json', bytes);
  }

  private async loadSnapshot(cache: TrustCache) {
    const cached = await cache.read('snapshot.json');
    if (cached) {
      try {
        this.store.updateSnapshot(cached, true);
        return; // still the version the timestamp names, and not expired
      } catch {
        // Older than the timestamp names (or expired): fetch the current one, checked against it.
      }
    }
    const meta = this.store.timestamp!.signed.snapshotMeta;
    const name = this.consistentSnapshot ? `${meta.version}.snapshot.json` : 'snapshot.json';
    const bytes = (await this.fetchMetadata(name, meta.length ?? SNAPSHOT_MAX_BYTES, 'snapshot'))!;
    try {
      this.store.updateSnapshot(bytes);
    } catch (error) {
      throw tufFailure(error, name, 'snapshot');
    }
    await cache.write('snapshot.json', bytes);
  }

  private async loadTargets(cache: TrustCache) {
    const cached = await cache.read('targets.json');
    if (cached) {
      try {
        this.store.updateDelegatedTargets(cached, 'targets', 'root');
        return;
      } catch {
        // Not the version the snapshot names: fetch it.
      }
    }
    const meta = this.store.snapshot!.signed.meta['targets.json'];
    if (!meta) throw new BrktError('tuf', 'Refusing the snapshot: it does not list targets.json');
    const name = this.consistentSnapshot ? `${meta.version}.targets.json` : 'targets.json';
    const bytes = (await this.fetchMetadata(name, meta.length ?? TARGETS_MAX_BYTES, 'targets'))!;
    try {
      this.store.updateDelegatedTargets(bytes, 'targets', 'root');
    } catch (error) {
      throw tufFailure(error, name, 'targets');
    }
    await cache.write('targets.json', bytes);
  }

  /** The signed entry for `name`, or undefined when the targets metadata does not list it. */
  target(name: string): TargetInfo | undefined {
    const entry: TargetFile | undefined = this.store.targets!.signed.targets[name];
    if (!entry) return undefined;
    const hash = entry.hashes.sha256;
    if (!hash) throw new BrktError('tuf', `Target ${name} has no SHA-256 hash in the targets metadata`);
    return { name, length: entry.length, sha256: hash.toLowerCase() };
  }

  /** The signed `custom` object of a target (brkt repo records the decoded image size there). */
  targetCustom(name: string): Record<string, unknown> | undefined {
    return this.store.targets!.signed.targets[name]?.custom;
  }

  /** Every listed target name. */
  targetNames(): string[] {
    return Object.keys(this.store.targets!.signed.targets).sort();
  }

  /**
   * updates.md 1.4 step 8: before a target read, the clock must not be behind the latest known
   * time and every role must still be valid (now < the earliest expiry).
   */
  private checkStillValid() {
    const now = this.platform.now();
    const roles = [
      ['root.json', this.store.root.signed.expires],
      ['timestamp.json', this.store.timestamp!.signed.expires],
      ['snapshot.json', this.store.snapshot!.signed.expires],
      ['targets.json', this.store.targets!.signed.expires],
    ] as const;
    for (const [file, expires] of roles) {
      if (!(now < new Date(expires))) throw new BrktError('tuf', `Refusing to read targets: ${file} expired at ${expires} (freeze attack: the repository serves stale metadata)`);
    }
  }

  /** The URL a target is fetched from (hash-prefixed with consistent snapshots). */
  targetUrl(info: TargetInfo): string {
    const slash = info.name.lastIndexOf('/');
    const file = this.consistentSnapshot ? `${info.name.slice(0, slash + 1)}${info.sha256}.${info.name.slice(slash + 1)}` : info.name;
    return this.query.apply(joinUrl(this.location.targetsBaseUrl, file));
  }

  /**
   * Streams a target, verified as it flows: never more than its listed length, and its SHA-256
   * checked when the stream ends. The bytes are untrusted until the iteration ends without error.
   */
  async *streamTarget(name: string): AsyncGenerator<Uint8Array> {
    const info = this.target(name);
    if (!info) throw new BrktError('not-found', `Target ${name} is not listed in the repository's signed targets metadata`);
    this.checkStillValid();
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of this.platform.fetcher.stream(this.targetUrl(info), { expectedBytes: info.length })) {
        size += chunk.length;
        if (size > info.length) {
          throw new BrktError('tuf', `Refusing target ${name}: more data than the ${info.length} bytes the targets metadata lists (endless data attack)`);
        }
        hash.update(chunk);
        yield chunk;
      }
    } catch (error) {
      if (error instanceof BrktError && error.code === 'not-found') throw new BrktError('not-found', `Target ${name} is listed but missing from the repository: ${error.message}`);
      throw error;
    }
    if (size < info.length) throw new BrktError('tuf', `Refusing target ${name}: ${size} bytes instead of the ${info.length} the targets metadata lists (truncated or tampered)`);
    const actual = hash.digest('hex');
    if (actual !== info.sha256) {
      throw new BrktError('tuf', `Refusing target ${name}: SHA-256 ${actual} differs from ${info.sha256} in the signed targets metadata (tampered target)`);
    }
  }

  /** A whole small target (manifest, migration), verified. */
  async readTarget(name: string): Promise<Uint8Array> {
    const info = this.target(name);
    if (info && info.length > SMALL_TARGET_MAX_BYTES) throw new BrktError('invalid-input', `Target ${name} is too large to read whole (${info.length} bytes)`);
    const parts: Uint8Array[] = [];
    for await (const chunk of this.streamTarget(name)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** manifest.json, verified and parsed (updates.md 5.2 step 7). */
  async manifest(): Promise<Manifest> {
    if (!this.target('manifest.json')) throw new BrktError('not-found', 'Manifest not found in repository');
    return parseManifest(await this.readTarget('manifest.json'));
  }

  /** A metadata file as served (for the offline copy migrator uses), fetched with the query. */
  async rawMetadata(name: string, limit = TARGETS_MAX_BYTES): Promise<Uint8Array> {
    return (await this.fetchMetadata(name, limit, 'targets'))!;
  }
}

const roleKeys = (root: Root) => ({
  timestamp: JSON.stringify([...(root.roles.timestamp?.keyIDs ?? [])].sort()),
  snapshot: JSON.stringify([...(root.roles.snapshot?.keyIDs ?? [])].sort()),
});

/** The persistent directory of trusted metadata (updates.md 1.5). */
class TrustCache {
  private readonly dir: string;

  constructor(private readonly platform: Platform) {
    this.dir = platform.paths.tufMetadata;
  }

  private path(name: string) {
    return `${this.dir}/${name}`;
  }

  /**
   * The root to start from: the cached one while it descends from the shipped root.json, else
   * the shipped file (a new OS image with a new root discards the cache). Refuses a clock that
   * went back before the latest known time.
   */
  async open(now: Date): Promise<{ rootBytes: Uint8Array; rootPath: string }> {
    const files = this.platform.files;
    const shippedPath = this.platform.paths.updogRoot;
    let shipped: Uint8Array;
    try {
      shipped = await files.read(shippedPath);
    } catch (error) {
      throw new BrktError('not-found', `Failed to read the trusted root ${shippedPath}: ${messageOf(error)}`, { cause: error });
    }
    const record = await this.record();
    if (!record || record.shippedRoot !== sha256(shipped)) {
      await files.remove(this.dir, { recursive: true });
      await files.mkdirp(this.dir, 0o700);
      await this.writeRecord({ shippedRoot: sha256(shipped), latestKnownTime: formatInstant(instantFromDate(now)) });
      return { rootBytes: shipped, rootPath: shippedPath };
    }
    const latest = parseInstant(record.latestKnownTime, 'latest known time');
    if (instantFromDate(now) < latest) {
      throw new BrktError('tuf', `Refusing to trust the update repository: the system clock (${now.toISOString()}) is behind the latest known time ${record.latestKnownTime} recorded in ${this.path('trust.json')} (clock rolled back)`);
    }
    const cachedRoot = await this.read('root.json');
    if (cachedRoot) {
      try {
        // The cached root must still verify itself; a damaged cache falls back to the shipped one.
        makeStore(cachedRoot, now);
        return { rootBytes: cachedRoot, rootPath: this.path('root.json') };
      } catch {
        await this.forget(['root.json', 'timestamp.json', 'snapshot.json', 'targets.json']);
      }
    }
    return { rootBytes: shipped, rootPath: shippedPath };
  }

  /**
   * A cached file, or undefined when it does not exist. Any other read error fails the load:
   * taking it for absence would start over from the shipped root and lose rollback protection.
   */
  async read(name: string): Promise<Buffer | undefined> {
    try {
      return Buffer.from(await this.platform.files.read(this.path(name)));
    } catch (error) {
      if ((error as { code?: unknown } | undefined)?.code === 'ENOENT') return undefined;
      throw this.unreadable(name, error);
    }
  }

  private unreadable(name: string, error: unknown): BrktError {
    return new BrktError('io', `Failed to read the trusted metadata ${this.path(name)}: ${messageOf(error)} (refusing to trust the repository without it: rollback protection depends on it)`, { cause: error });
  }

  async write(name: string, data: Uint8Array) {
    await this.platform.files.writeAtomic(this.path(name), data, { mode: 0o600 });
  }

  async forget(names: string[]) {
    for (const name of names) await this.platform.files.remove(this.path(name));
  }

  private async record(): Promise<TrustRecord | undefined> {
    let text: string | undefined;
    try {
      text = await this.platform.files.readTextIfExists(this.path('trust.json'));
    } catch (error) {
      throw this.unreadable('trust.json', error);
    }
    if (!text) return undefined;
    try {
      const record = JSON.parse(text) as TrustRecord;
      return typeof record.shippedRoot === 'string' && typeof record.latestKnownTime === 'string' ? record : undefined;
    } catch {
      return undefined;
    }
  }

  private async writeRecord(record: TrustRecord) {
    await this.platform.files.writeAtomic(this.path('trust.json'), JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  }

  /** Moves the latest known time forward (never back). */
  async recordTime(now: Date) {
    const record = await this.record();
    if (!record) return;
    const latest = parseInstant(record.latestKnownTime);
    const current = instantFromDate(now);
    if (current > latest) await this.writeRecord({ ...record, latestKnownTime: formatInstant(current) });
  }
}
