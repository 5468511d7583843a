// What the settings commands share: a client on the platform's API socket and the running
// variant's settings schema, for typing and validating values before anything is sent.
import type { TObject } from '@sinclair/typebox';
import { ApiClient, randomSuffix } from '../../core/client/api-client';
import { readOsRelease } from '../../core/os-release';
import { settingsSchema } from '../../core/model/settings';
import type { Platform } from '../../platform/types';
import type { Json } from '../../core/client/deep-merge';
import { BrktError } from '../../core/errors';

export interface SettingsSession {
  client: ApiClient;
  schema: TObject;
  variant?: string;
}

export async function openSession(platform: Platform, socket?: string): Promise<SettingsSession> {
  const variant = (await readOsRelease(platform))?.variantId;
  return { client: ApiClient.on(platform, socket), schema: settingsSchema(variant), variant };
}

export const newTransaction = (verb: string) => `brkt-${verb}-${randomSuffix()}`;

export async function liveSettings(session: SettingsSession): Promise<Json> {
  return session.client.getJson<Json>('/settings');
}

/** What a commit-and-apply did: the commit can succeed while applying it fails. */
export interface CommitOutcome {
  transaction: string;
  /** The committed keys (`settings.motd`). */
  committed: string[];
  applied: boolean;
  /** Why applying failed, naming the configuration file or service when the applier did. */
  error?: string;
}

/** PATCHes each document into one transaction, then commits and applies it. */
export async function commitDocuments(session: SettingsSession, verb: string, documents: Json[]): Promise<CommitOutcome> {
  return commitTransaction(session, verb, async tx => {
    for (const document of documents) await session.client.checked('PATCH', `/settings?tx=${tx}`, JSON.stringify(document));
  });
}

/**
 * Stages with `stage`, commits, then applies the committed keys, as two requests so that a
 * failed apply is told apart from a failed commit (one `commit_and_apply` answers 500 for both).
 */
export async function commitTransaction(session: SettingsSession, verb: string, stage: (tx: string) => Promise<void>): Promise<CommitOutcome> {
  const tx = newTransaction(verb);
  let committed: string[];
  try {
    await stage(tx);
    committed = JSON.parse((await session.client.checked('POST', `/tx/commit?tx=${tx}`)).body) as string[];
  } catch (error) {
    // Leave no half-staged transaction behind when a later step fails.
    await session.client.raw('DELETE', `/tx?tx=${tx}`).catch(() => undefined);
    throw error;
  }
  // The API splits `keys` at commas; a key with a comma in a quoted segment applies everything.
  const keys = committed.some(key => key.includes(',')) ? '' : `?keys=${encodeURIComponent(committed.join(','))}`;
  const reply = await session.client.raw('POST', `/tx/apply${keys}`);
  if (reply.status >= 200 && reply.status <= 299) return { transaction: tx, committed, applied: true };
  return { transaction: tx, committed, applied: false, error: applyFailure(reply.status, reply.body) };
}

/** `applying failed for kubelet-config (/etc/...): ...` from the applier's message in the API's answer. */
function applyFailure(status: number, body: string): string {
  const message = body.replace(/^Config applier failed: /, '').trim();
  const file = /^Cannot render configuration file (\S+) (\([^)]*\)): ([\s\S]*)$/.exec(message);
  if (file) return `applying failed for ${file[1]} ${file[2]}: ${file[3]}`;
  const service = /^Restart command .* of service (\S+) /.exec(message);
  if (service) return `applying failed for service ${service[1]}: ${message}`;
  return `applying failed (status ${status}): ${message}`;
}

/** The one line of a commit whose apply failed: both facts, exit 1. */
export function reportOutcome(outcome: CommitOutcome): void {
  if (outcome.applied) return;
  const count = `${outcome.committed.length} key${outcome.committed.length === 1 ? '' : 's'}`;
  throw new BrktError('io', `committed ${count} (${outcome.transaction}); ${outcome.error}`);
}
