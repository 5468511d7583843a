// Prints a list of setting changes and what a commit of them would touch.
import type { SettingChange } from '../../core/client/settings-keys';
import type { SettingsSession } from './session';

export interface Impact {
  services: string[];
  files: string[];
}

/** Services affected by the changed keys (metadata) and their configuration files. */
export async function impactOf(session: SettingsSession, changes: SettingChange[]): Promise<Impact> {
  if (!changes.length) return { services: [], files: [] };
  const keys = changes.map(change => `settings.${change.key}`).join(',');
  const affected = await session.client.getJson<Record<string, string[]>>(`/metadata/affected-services?keys=${encodeURIComponent(keys)}`).catch(() => ({}));
  const services = [...new Set(Object.values(affected).flat())].sort();
  if (!services.length) return { services, files: [] };
  const described = await session.client
    .getJson<Record<string, { 'configuration-files': string[] }>>(`/services?names=${encodeURIComponent(services.join(','))}`)
    .catch(() => ({} as Record<string, { 'configuration-files': string[] }>));
  const names = [...new Set(Object.values(described).flatMap(service => service['configuration-files']))];
  if (!names.length) return { services, files: [] };
  const files = await session.client
    .getJson<Record<string, { path: string }>>(`/configuration-files?names=${encodeURIComponent(names.join(','))}`)
    .catch(() => ({} as Record<string, { path: string }>));
  return { services, files: Object.values(files).map(file => file.path).sort() };
}

export function formatChanges(changes: SettingChange[], impact: Impact): string {
  if (!changes.length) return 'No changes\n';
  const show = (value: SettingChange['old']) => (value === undefined ? '(unset)' : JSON.stringify(value));
  const lines = changes.map(change => `${change.key}: ${show(change.old)} -> ${show(change.new)}`);
  if (impact.services.length) lines.push(`services: ${impact.services.join(', ')}`);
  if (impact.files.length) lines.push(`files: ${impact.files.join(', ')}`);
  return lines.join('\n') + '\n';
}

export const changesJson = (changes: SettingChange[], impact: Impact) => ({
  changes: changes.map(({ key, old, new: value }) => ({ key: `settings.${key}`, old: old ?? null, new: value ?? null })),
  ...impact,
});

