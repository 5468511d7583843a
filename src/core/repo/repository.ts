// Builds and signs an update repository in the upstream layout (updates.md 1.1): metadata/
// with N.root.json, V.targets.json, V.snapshot.json and timestamp.json; targets/ with
// <sha256>.<name>; private keys in keys/ (or elsewhere) named by key ID. Mirrors what
// Bottlerocket's publishing tools (tuftool, pubsys, updata) produce.
import { createHash } from 'node:crypto';
import { BrktError } from '../errors';
import type { HostFiles } from '../../platform/types';
import { emptyManifest, parseManifest, serializeManifest, type Manifest } from '../updates/manifest';
import { generateSigningKey, loadSigningKey, type KeyType, type SigningKey } from './keys';
import {
  describeFile, encodeMetadata, ROLES, rootSigned, signMetadata, SPEC_VERSION, tufDate,
  type Role, type RootSigned, type Signed, type SignedMetadata, type TargetEntry, type TargetsSigned,
} from './metadata';

export interface RepoLayout {
  dir: string;
  metadataDir: string;
  targetsDir: string;
  keysDir: string;
}

export function repoLayout(dir: string, keysDir?: string): RepoLayout {
  const base = dir.replace(/\/+$/, '');
  return { dir: base, metadataDir: `${base}/metadata`, targetsDir: `${base}/targets`, keysDir: keysDir ?? `${base}/keys` };
}

export type Expirations = Record<Role, Date>;

const COPY_CHUNK = 4 << 20;

/** An open repository: the latest signed metadata of every role and the keys at hand. */
export class RepoWriter {
  private constructor(
    private readonly files: HostFiles,
    readonly layout: RepoLayout,
    public root: SignedMetadata<RootSigned>,
    public targets: SignedMetadata<TargetsSigned>,
    public snapshot: SignedMetadata,
    public timestamp: SignedMetadata,
    private readonly keys: Map<string, SigningKey>,
  ) {}

  /** Creates keys (one per role), root version 1 and an empty manifest. Refuses an existing repository. */
  static async create(files: HostFiles, layout: RepoLayout, options: { keyType?: KeyType; expires: Expirations }): Promise<RepoWriter> {
    if ((await files.list(layout.metadataDir)).length > 0) {
      throw new BrktError('conflict', `Refusing to create a repository in ${layout.dir}: ${layout.metadataDir} already holds metadata`);
    }
    await files.mkdirp(layout.keysDir, 0o700);
    const roleKeys = {} as Record<Role, SigningKey[]>;
    const keys = new Map<string, SigningKey>();
    for (const role of ROLES) {
      const key = generateSigningKey(options.keyType ?? 'ed25519');
      await files.writeAtomic(`${layout.keysDir}/${key.key.keyID}.pem`, key.privatePem, { mode: 0o600 });
      roleKeys[role] = [key];
      keys.set(key.key.keyID, key);
    }
    const root = signMetadata(rootSigned({ version: 1, expires: options.expires.root, keys: roleKeys }), roleKeys.root);
    await files.writeAtomic(`${layout.metadataDir}/1.root.json`, encodeMetadata(root));
    const emptyTargets: TargetsSigned = { _type: 'targets', spec_version: SPEC_VERSION, version: 0, expires: tufDate(options.expires.targets), targets: {} };
    const placeholder = { signed: { _type: 'snapshot', spec_version: SPEC_VERSION, version: 0, expires: '', meta: {} } as Signed, signatures: [] };
    const writer = new RepoWriter(files, layout, root, { signed: emptyTargets, signatures: [] }, placeholder, { ...placeholder, signed: { ...placeholder.signed, _type: 'timestamp' } }, keys);
    await writer.writeManifest(emptyManifest());
    await writer.publish(options.expires);
    return writer;
  }

  /** Opens the repository at `layout`: the highest N.root.json, the timestamp and what it names. */
  static async open(files: HostFiles, layout: RepoLayout): Promise<RepoWriter> {
    const names = await files.list(layout.metadataDir);
    const rootVersions = names.map(name => /^(\d+)\.root\.json$/.exec(name)).filter(m => m !== null).map(m => Number(m![1])).sort((a, b) => b - a);
    if (rootVersions.length === 0) throw new BrktError('not-found', `No repository at ${layout.dir}: ${layout.metadataDir} has no N.root.json (run 'brkt repo init' first)`);
    const read = async <T extends Signed>(name: string) => JSON.parse(await files.readText(`${layout.metadataDir}/${name}`)) as SignedMetadata<T>;
    const root = await read<RootSigned>(`${rootVersions[0]}.root.json`);
    const timestamp = await read('timestamp.json');
    const snapshotVersion = (timestamp.signed.meta as Record<string, { version: number }>)['snapshot.json']!.version;
    const snapshot = await read(`${snapshotVersion}.snapshot.json`);
    const targetsVersion = (snapshot.signed.meta as Record<string, { version: number }>)['targets.json']!.version;
    const targets = await read<TargetsSigned>(`${targetsVersion}.targets.json`);
    const keys = new Map<string, SigningKey>();
    for (const name of await files.list(layout.keysDir)) {
      if (!name.endsWith('.pem')) continue;
      const path = `${layout.keysDir}/${name}`;
      const key = loadSigningKey(await files.readText(path), path);
      keys.set(key.key.keyID, key);
    }
    return new RepoWriter(files, layout, root, targets, snapshot, timestamp, keys);
  }

  /** The keys of `role` that are at hand; fails when they cannot reach the threshold. */
  keysFor(role: Role, root: RootSigned = this.root.signed): SigningKey[] {
    const { keyids, threshold } = root.roles[role];
    const found = keyids.map(id => this.keys.get(id)).filter((k): k is SigningKey => k !== undefined);
    if (found.length < threshold) {
      throw new BrktError('not-found', `Cannot sign ${role}: ${found.length} of its ${threshold} required keys are in ${this.layout.keysDir}`);
    }
    return found;
  }

  /** Copies a target into targets/ as <sha256>.<name> while hashing it; the entry is listed at the next publish. */
  async addTarget(name: string, source: AsyncIterable<Uint8Array>, custom?: Record<string, unknown>): Promise<TargetEntry> {
    if (!name || name.includes('/') || name.startsWith('.')) throw new BrktError('invalid-input', `Invalid target name '${name}'`);
    await this.files.mkdirp(this.layout.targetsDir);
    const temp = `${this.layout.targetsDir}/.${name}.${Date.now()}.partial`;
    await this.files.writeAtomic(temp, new Uint8Array(0));
    const handle = await this.files.open(temp, 'r+');
    const hash = createHash('sha256');
    let length = 0;
    try {
      for await (const chunk of source) {
        hash.update(chunk);
        await handle.write(length, chunk);
        length += chunk.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    const sha256 = hash.digest('hex');
    await this.files.rename(temp, `${this.layout.targetsDir}/${sha256}.${name}`);
    const entry: TargetEntry = { length, hashes: { sha256 }, ...(custom ? { custom } : {}) };
    this.targets.signed.targets[name] = entry;
    return entry;
  }

  /** Streams a file of the host in 4 MiB pieces (an image to publish). */
  async *readFile(path: string): AsyncGenerator<Uint8Array> {
    const handle = await this.files.open(path, 'r');
    try {
      const size = await handle.size();
      for (let at = 0; at < size; at += COPY_CHUNK) yield await handle.read(at, Math.min(COPY_CHUNK, size - at));
    } finally {
      await handle.close();
    }
  }

  async readManifest(): Promise<Manifest> {
    const entry = this.targets.signed.targets['manifest.json'];
    if (!entry) return emptyManifest();
    return parseManifest(await this.files.read(`${this.layout.targetsDir}/${entry.hashes.sha256}.manifest.json`));
  }

  async writeManifest(manifest: Manifest): Promise<void> {
    const bytes = new TextEncoder().encode(serializeManifest(manifest));
    await this.addTarget('manifest.json', (async function* () { yield bytes; })());
  }

  /**
   * Signs and writes new versions: targets, then a snapshot naming it, then the timestamp (last,
   * so a reader never sees a timestamp that names files not yet written). `from` picks where
   * the chain starts; roles not given a new expiry keep theirs.
   */
  async publish(expires: Partial<Expirations> = {}, from: 'targets' | 'snapshot' | 'timestamp' = 'targets'): Promise<void> {
    const dir = this.layout.metadataDir;
    if (from === 'targets') {
      const signed: TargetsSigned = { ...this.targets.signed, version: this.targets.signed.version + 1, expires: expires.targets ? tufDate(expires.targets) : this.targets.signed.expires };
      this.targets = signMetadata(signed, this.keysFor('targets'));
      await this.files.writeAtomic(`${dir}/${signed.version}.targets.json`, encodeMetadata(this.targets));
    }
    if (from === 'targets' || from === 'snapshot') {
      const targetsBytes = encodeMetadata(this.targets);
      const signed: Signed = {
        _type: 'snapshot', spec_version: SPEC_VERSION, version: this.snapshot.signed.version + 1,
        expires: expires.snapshot ? tufDate(expires.snapshot) : this.snapshot.signed.expires,
        meta: { 'targets.json': describeFile(this.targets.signed.version, targetsBytes) },
      };
      this.snapshot = signMetadata(signed, this.keysFor('snapshot'));
      await this.files.writeAtomic(`${dir}/${signed.version}.snapshot.json`, encodeMetadata(this.snapshot));
    }
    const snapshotBytes = encodeMetadata(this.snapshot);
    const signed: Signed = {
      _type: 'timestamp', spec_version: SPEC_VERSION, version: this.timestamp.signed.version + 1,
      expires: expires.timestamp ? tufDate(expires.timestamp) : this.timestamp.signed.expires,
      meta: { 'snapshot.json': describeFile(this.snapshot.signed.version, snapshotBytes) },
    };
    this.timestamp = signMetadata(signed, this.keysFor('timestamp'));
    await this.files.writeAtomic(`${dir}/timestamp.json`, encodeMetadata(this.timestamp));
  }

  /**
   * Writes root version N+1, signed by the current root keys and the new ones (TUF 5.3.4). With
   * `newKeys`, the listed roles get freshly generated keys; their metadata is re-signed after.
   */
  async rotateRoot(options: { expires?: Date; newKeys?: Role[]; keyType?: KeyType } = {}): Promise<number> {
    const current = this.root.signed;
    const roleKeys = {} as Record<Role, SigningKey[]>;
    for (const role of ROLES) {
      if (options.newKeys?.includes(role)) {
        const key = generateSigningKey(options.keyType ?? 'ed25519');
        await this.files.writeAtomic(`${this.layout.keysDir}/${key.key.keyID}.pem`, key.privatePem, { mode: 0o600 });
        this.keys.set(key.key.keyID, key);
        roleKeys[role] = [key];
      } else {
        roleKeys[role] = this.keysFor(role, current);
      }
    }
    const signed = rootSigned({ version: current.version + 1, expires: options.expires ?? new Date(current.expires), keys: roleKeys });
    const signers = new Map([...this.keysFor('root', current), ...roleKeys.root].map(k => [k.key.keyID, k]));
    this.root = signMetadata(signed, [...signers.values()]);
    await this.files.writeAtomic(`${this.layout.metadataDir}/${signed.version}.root.json`, encodeMetadata(this.root));
    const changed = options.newKeys?.filter(role => role !== 'root') ?? [];
    if (changed.includes('targets')) await this.publish({}, 'targets');
    else if (changed.includes('snapshot')) await this.publish({}, 'snapshot');
    else if (changed.includes('timestamp')) await this.publish({}, 'timestamp');
    return signed.version;
  }

  /** The trusted root to ship with the OS (usr/share/updog/root.json): version 1. */
  async initialRoot(): Promise<Uint8Array> {
    return this.files.read(`${this.layout.metadataDir}/1.root.json`);
  }
}
