// What the settings commands share: a client on the platform's API socket and the running
// variant's settings schema, for typing and validating values before anything is sent.
import type { TObject } from '@sinclair/typebox';
import { ApiClient, randomSuffix } from '../../core/client/api-client';
import { readOsRelease } from '../../core/os-release';
import { settingsSchema } from '../../core/model/settings';
import type { Platform } from '../../platform/types';
import type { Json } from '../../core/client/deep-merge';

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

/** PATCHes each document into one transaction, then commits and applies it. */
export async function commitDocuments(session: SettingsSession, verb: string, documents: Json[]) {
  const tx = newTransaction(verb);
  try {
    for (const document of documents) await session.client.checked('PATCH', `/settings?tx=${tx}`, JSON.stringify(document));
    await session.client.checked('POST', `/tx/commit_and_apply?tx=${tx}`);
  } catch (error) {
    // Leave no half-staged transaction behind when a later step fails.
    await session.client.raw('DELETE', `/tx?tx=${tx}`).catch(() => undefined);
    throw error;
  }
}
