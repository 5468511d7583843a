// The launch-transaction API over plain objects: pending and live settings, generator and
// template metadata. For tests of early-boot-config and sundog without a server.
import { keySegments, getAtPath, setAtPath } from '../applier/keys';
import { mergeSettings } from './user-data';
import { LAUNCH_TX, type GeneratorEntry, type LaunchApi, type PendingTransaction } from './launch-api';
import type { Strength } from '../datastore/strength';

export class MemoryLaunchApi implements LaunchApi {
  live: Record<string, unknown> = {};
  pending = new Map<string, Record<string, unknown>>();
  /** A string is a strong generator's command (the 2020 form). */
  generators: Record<string, string | GeneratorEntry> = {};
  templateMetadata: Record<string, string> = {};
  os: Record<string, unknown> = { pretty_name: 'Bottlerocket OS 1.0.0 (aws-dev)', variant_id: 'aws-dev', version_id: '1.0.0', build_id: 'abcdef0', arch: 'x86_64' };
  /** Every PATCH, in order, as the server would have received it. */
  patches: Array<{ tx: string; document: Record<string, unknown>; strength?: Strength }> = [];

  /** Throws like the server's 400 for a document the model refuses. */
  constructor(private readonly validate: (document: Record<string, unknown>) => void = () => {}) {}

  async settingGenerators() {
    return Object.fromEntries(Object.entries(this.generators).map(([key, g]) => [key, typeof g === 'string' ? { command: g, strength: 'strong' as const } : { ...g }]));
  }

  async liveSettings(keys: string[]) {
    const result: Record<string, unknown> = {};
    for (const key of keys) {
      const segments = keySegments(key).slice(1);
      const value = getAtPath(this.live, segments);
      if (value !== undefined) setAtPath(result, segments, structuredClone(value));
    }
    return result;
  }

  async templates(keys: string[]) {
    return Object.fromEntries(keys.filter(key => key in this.templateMetadata).map(key => [key, this.templateMetadata[key]!]));
  }

  async model() {
    return { settings: structuredClone(this.live), os: structuredClone(this.os) };
  }

  async patch(document: Record<string, unknown>, tx = LAUNCH_TX, strength?: Strength) {
    this.validate(document);
    this.patches.push({ tx, document: structuredClone(document), ...(strength ? { strength } : {}) });
    if (Object.keys(document).length === 0) return;
    this.pending.set(tx, mergeSettings(this.pending.get(tx) ?? {}, document));
  }

  async pendingTransaction(tx = LAUNCH_TX): Promise<PendingTransaction> {
    return { settings: structuredClone(this.pending.get(tx) ?? {}), metadata: {} };
  }

  async commit(tx = LAUNCH_TX) {
    const pending = this.pending.get(tx);
    this.pending.delete(tx);
    if (!pending) return [];
    this.live = mergeSettings(this.live, pending);
    return leafKeys(pending, ['settings']);
  }
}

function leafKeys(value: unknown, prefix: string[]): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix.join('.')];
  return Object.entries(value).flatMap(([key, item]) => leafKeys(item, [...prefix, key]));
}
