// Where the applier reads settings, services, files and metadata: the API over its Unix socket,
// as upstream thar-be-settings does (api.md sections 6.2, 7.1, 7.4-7.6), or plain objects in tests.
import { BrktError, type ErrorCode } from '../errors';
import { keyName, keySegments } from './keys';
import type { Platform } from '../../platform/types';

export interface ServiceInfo {
  'configuration-files': string[];
  'restart-commands': string[];
}

export interface ConfigurationFileInfo {
  path: string;
  'template-path': string;
  /** Later upstream: the file's permissions as an octal string ("0600"); 0644 when absent. */
  mode?: string;
  /** Later upstream (settings-now.md 4): false leaves the file alone when its path exists. */
  'overwrite-path-if-present'?: boolean;
}

export interface SettingsSource {
  /** GET /settings: the live settings document. */
  settings(): Promise<Record<string, unknown>>;
  /** GET /os */
  os(): Promise<Record<string, unknown>>;
  /** GET /services (all, or `?names=`; an unknown name fails). */
  services(names?: string[]): Promise<Record<string, ServiceInfo>>;
  /** GET /configuration-files (all, or `?names=`; an unknown name fails). */
  configurationFiles(names?: string[]): Promise<Record<string, ConfigurationFileInfo>>;
  /** GET /metadata/affected-services?keys=...: key -> services, keys without metadata omitted. */
  affectedServices(keys: string[]): Promise<Record<string, string[]>>;
}

const STATUS_CODE: Record<number, ErrorCode> = { 400: 'invalid-input', 404: 'not-found', 409: 'conflict', 423: 'locked' };

/** A comma list for a query (api.md section 2): each item percent-encoded, commas kept. */
export const commaList = (items: string[]) => items.map(encodeURIComponent).join(',');

/** Longest comma list sent in one query: a commit of hundreds of keys would exceed the server's header limit (431). */
const MAX_LIST_CHARS = 4000;

/** `items` as comma lists of at most MAX_LIST_CHARS characters each (a longer single item alone). */
export function commaListBatches(items: string[]): string[] {
  const batches: string[] = [];
  let current = '';
  for (const item of items.map(encodeURIComponent)) {
    if (current && current.length + 1 + item.length > MAX_LIST_CHARS) {
      batches.push(current);
      current = '';
    }
    current = current ? `${current},${item}` : item;
  }
  if (current) batches.push(current);
  return batches;
}

/** One JSON request to the API on `socketPath`; a non-2xx answer is a BrktError naming it. */
export async function apiRequest(platform: Platform, socketPath: string, method: string, uri: string, body?: unknown): Promise<{ status: number; text: string }> {
  let reply;
  try {
    reply = await platform.unixRequest(socketPath, method, uri, body === undefined ? undefined : JSON.stringify(body));
  } catch (error) {
    throw new BrktError('unavailable', `Failed to ${method} ${uri} on ${socketPath}: ${(error as Error).message}`, { cause: error });
  }
  if (reply.status < 200 || reply.status > 299) {
    const code = STATUS_CODE[reply.status] ?? (reply.status >= 500 ? 'unavailable' : 'io');
    throw new HttpStatusError(code, method, uri, reply.status, reply.body);
  }
  return { status: reply.status, text: reply.body };
}

/** A non-2xx answer: the status stays available to callers that treat some as success (422). */
export class HttpStatusError extends BrktError {
  constructor(code: ErrorCode, readonly method: string, readonly uri: string, readonly status: number, readonly body: string) {
    super(code, `${method} ${uri} answered ${status}${body.trim() ? `: ${body.trim().split('\n')[0]}` : ''}`);
  }
}

/** GET `uri` from the API and parse its JSON answer. */
export async function getJson<T>(platform: Platform, socketPath: string, uri: string): Promise<T> {
  const { text } = await apiRequest(platform, socketPath, 'GET', uri);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new BrktError('io', `GET ${uri} answered with invalid JSON: ${(error as Error).message}`);
  }
}

/** The API server on `socketPath` (default: the platform's), through the platform's transport. */
export function httpSettingsSource(platform: Platform, socketPath = platform.paths.apiSocket): SettingsSource {
  const withNames = (path: string, names?: string[]) => (names ? `${path}?names=${commaList(names)}` : path);
  return {
    settings: () => getJson(platform, socketPath, '/settings'),
    os: () => getJson(platform, socketPath, '/os'),
    services: names => getJson(platform, socketPath, withNames('/services', names)),
    configurationFiles: names => getJson(platform, socketPath, withNames('/configuration-files', names)),
    affectedServices: async keys => {
      const answers = await Promise.all(commaListBatches(keys).map(list => getJson<Record<string, string[]>>(platform, socketPath, `/metadata/affected-services?keys=${list}`)));
      return Object.assign({}, ...answers) as Record<string, string[]>;
    },
  };
}

export interface MemoryState {
  settings: Record<string, unknown>;
  os: Record<string, unknown>;
  services: Record<string, ServiceInfo>;
  configurationFiles: Record<string, ConfigurationFileInfo>;
  /** `affected-services` metadata by data key (`settings.motd`), inherited by longer keys. */
  affectedServices: Record<string, string[]>;
}

/**
 * The same answers as the API from plain objects, for tests of the applier without a server.
 * Values are copied on the way out, so a caller never shares objects with the state.
 */
export class MemorySettingsSource implements SettingsSource {
  constructor(public state: MemoryState) {}

  async settings() {
    return structuredClone(this.state.settings);
  }

  async os() {
    return structuredClone(this.state.os);
  }

  async services(names?: string[]) {
    return pick('services', this.state.services, names);
  }

  async configurationFiles(names?: string[]) {
    return pick('configuration-files', this.state.configurationFiles, names);
  }

  async affectedServices(keys: string[]) {
    const result: Record<string, string[]> = {};
    for (const key of keys) {
      const segments = keySegments(key);
      // The nearest ancestor (or the key itself) that carries the metadata wins (api.md 7.1).
      for (let length = segments.length; length > 0; length--) {
        const found = this.state.affectedServices[keyName(segments.slice(0, length))];
        if (found) {
          result[key] = [...found];
          break;
        }
      }
    }
    return result;
  }
}

function pick<T>(area: string, all: Record<string, T>, names?: string[]): Record<string, T> {
  if (!names) {
    if (Object.keys(all).length === 0) throw new BrktError('not-found', `Found no '${area}' in datastore`);
    return structuredClone(all);
  }
  const result: Record<string, T> = {};
  for (const name of names) {
    const entry = all[name];
    if (entry === undefined) throw new BrktError('not-found', `Found no '${area}.${name}' in datastore`);
    result[name] = structuredClone(entry);
  }
  return result;
}
