// The API calls of the boot-time programs (early-boot-config, sundog, settings-committer): read
// generator metadata and live values, stage settings in `bottlerocket-launch`, commit it.
import { apiRequest, commaList, getJson, HttpStatusError } from '../applier/source';
import { BrktError } from '../errors';
import type { Strength } from '../datastore/strength';
import type { Platform } from '../../platform/types';

/** The transaction boot-time settings are staged in (storewolf, user data, generators). */
export const LAUNCH_TX = 'bottlerocket-launch';

/** A generator as GET /v2/metadata/setting-generators lists it (expanded, no depth). */
export interface GeneratorEntry {
  command: string;
  strength: Strength;
}

/** GET /v2/tx: pending settings and pending metadata (stored JSON text). */
export interface PendingTransaction {
  settings: Record<string, unknown>;
  metadata: Record<string, Record<string, string>>;
}

export interface LaunchApi {
  /** GET /v2/metadata/setting-generators: setting key -> generator command and strength. */
  settingGenerators(): Promise<Record<string, GeneratorEntry>>;
  /** GET /settings?keys=...: the live values of those keys (unset keys are absent). */
  liveSettings(keys: string[]): Promise<Record<string, unknown>>;
  /** GET /metadata/templates?keys=...: key -> template text. */
  templates(keys: string[]): Promise<Record<string, string>>;
  /** GET /: the whole model, the data of schnauzer templates. */
  model(): Promise<Record<string, unknown>>;
  /** PATCH /settings?tx=TX[&strength=S]: stage a settings document (no `settings` wrapper). */
  patch(document: Record<string, unknown>, tx?: string, strength?: Strength): Promise<void>;
  /** GET /v2/tx?tx=TX: what a transaction holds (settings-committer logs it). */
  pendingTransaction(tx?: string): Promise<PendingTransaction>;
  /** POST /tx/commit?tx=TX: the committed keys; `[]` when there was nothing to commit (422). */
  commit(tx?: string): Promise<string[]>;
}

const txQuery = (tx: string) => `tx=${encodeURIComponent(tx)}`;

/** The API server on `socket` (default: the platform's). */
export function httpLaunchApi(platform: Platform, socket = platform.paths.apiSocket): LaunchApi {
  const json = <T>(uri: string) => getJson<T>(platform, socket, uri);
  return {
    settingGenerators: () => json('/v2/metadata/setting-generators'),
    liveSettings: keys => json(`/settings?keys=${commaList(keys)}`),
    templates: keys => json(`/metadata/templates?keys=${commaList(keys)}`),
    model: () => json('/'),
    async patch(document, tx = LAUNCH_TX, strength) {
      await apiRequest(platform, socket, 'PATCH', `/settings?${txQuery(tx)}${strength ? `&strength=${strength}` : ''}`, document);
    },
    pendingTransaction: (tx = LAUNCH_TX) => json(`/v2/tx?${txQuery(tx)}`),
    async commit(tx = LAUNCH_TX) {
      try {
        const { text } = await apiRequest(platform, socket, 'POST', `/tx/commit?${txQuery(tx)}`);
        return JSON.parse(text) as string[];
      } catch (error) {
        // settings-committer: 422 means nothing was pending, which is success (boot-config.md 3).
        if (error instanceof HttpStatusError && error.status === 422) return [];
        throw error;
      }
    },
  };
}
