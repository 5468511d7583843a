// The server's in-memory view of committed data: every live value and metadata file, loaded at
// start and updated by commits, so reads never touch the disk (perf notes: ~50x faster).
import type { TSchema } from '@sinclair/typebox';
import { ApiError } from './api-error';
import { assemble } from '../datastore/pairs';
import { keyFromSegments, type Key } from '../datastore/key';
import { messageOf } from '../errors';
import { validateModel } from '../model/validate';
import { isTombstone, type MetadataMap, type MetadataWrite, type StoredValue } from '../datastore/store';

export type Area = 'settings' | 'services' | 'configuration-files';

export class LiveView {
  private cache = new Map<string, string>();

  constructor(
    private readonly data: Map<string, StoredValue>,
    readonly metadata: MetadataMap,
    private readonly schemas: Record<Area, TSchema>,
  ) {}

  /** Values whose names start with `prefix` (a string prefix, api.md 5). */
  withPrefix(prefix: string): StoredValue[] {
    const out: StoredValue[] = [];
    for (const [name, value] of this.data) if (name.startsWith(prefix)) out.push(value);
    return out;
  }

  get(key: Key): StoredValue | undefined {
    return this.data.get(key.name);
  }

  /** True when `key` is no leaf but has values below it (reading it is a directory read). */
  isInterior(key: Key): boolean {
    const prefix = key.name + '.';
    for (const name of this.data.keys()) if (name.startsWith(prefix)) return true;
    return false;
  }

  /** Assembles values of one area into its document and checks it against the model. */
  document(area: Area, values: StoredValue[]): Record<string, unknown> {
    const { value, floats } = assemble(values.map(v => ({ segments: v.key.segments, text: v.text })), 1);
    try {
      return validateModel(this.schemas[area], value, { root: area, floats });
    } catch (error) {
      throw new ApiError(500, `Error deserializing ${area === 'settings' ? 'Settings' : area}: ${messageOf(error)}`);
    }
  }

  /** JSON of a whole area, cached until the next commit (the hot path of GET /settings). */
  areaJson(area: Area): string | undefined {
    const cached = this.cache.get(area);
    if (cached !== undefined) return cached;
    const values = this.withPrefix(`${area}.`);
    if (values.length === 0) return undefined;
    const json = JSON.stringify(this.document(area, values));
    this.cache.set(area, json);
    return json;
  }

  /** Metadata `name` of the longest segment prefix of `key` that has it (datastore.md 6). */
  inheritedMetadata(key: Key, name: string): string | undefined {
    let found: string | undefined;
    for (let n = 1; n <= key.segments.length; n++) {
      const prefix = n === key.segments.length ? key : keyFromSegments(key.segments.slice(0, n));
      const value = this.metadata.get(prefix.name)?.get(name);
      if (value !== undefined) found = value;
    }
    return found;
  }

  /** Applies a finished commit: values set, `null` tombstones removed, metadata written. One synchronous step. */
  applyCommit(values: StoredValue[], metadata: MetadataWrite[] = []) {
    for (const value of values) {
      if (isTombstone(value.text)) this.data.delete(value.key.name);
      else this.data.set(value.key.name, value);
    }
    for (const { key, meta, text } of metadata) {
      let metas = this.metadata.get(key.name);
      if (!metas) this.metadata.set(key.name, (metas = new Map()));
      metas.set(meta, text);
    }
    this.cache.clear();
  }
}
