// Parses os-release (KEY=VALUE, optionally quoted), the running image's identity.
import type { Platform } from '../platform/types';

export interface OsRelease {
  versionId?: string;
  variantId?: string;
  buildId?: string;
  prettyName?: string;
  fields: Record<string, string>;
}

export function parseOsRelease(text: string): OsRelease {
  const fields: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1);
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1).replace(/\\(["'\\$`])/g, '$1');
    }
    fields[line.slice(0, eq)] = value;
  }
  return {
    versionId: fields.VERSION_ID,
    variantId: fields.VARIANT_ID,
    buildId: fields.BUILD_ID,
    prettyName: fields.PRETTY_NAME,
    fields,
  };
}

export function formatOsRelease(fields: Record<string, string>): string {
  return Object.entries(fields).map(([key, value]) => `${key}=${/^[\w.\-]*$/.test(value) ? value : JSON.stringify(value)}`).join('\n') + '\n';
}

/** The running image's os-release under the platform's root; `undefined` when there is none. */
export async function readOsRelease(platform: Platform): Promise<OsRelease | undefined> {
  const text = await platform.files.readTextIfExists(platform.paths.osRelease);
  return text === undefined ? undefined : parseOsRelease(text);
}
