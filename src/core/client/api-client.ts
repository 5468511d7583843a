// The API client primitive of apiclient and every other API user: raw requests over the Unix
// socket, and "checked" requests whose non-2xx replies become upstream's error sentences.
import { BrktError, messageOf } from '../errors';
import type { Platform } from '../../platform/types';

export interface Reply {
  status: number;
  statusText: string;
  body: string;
}

export type Transport = (method: string, uri: string, body?: string) => Promise<Reply>;

export class ApiClient {
  constructor(readonly socket: string, private readonly transport: Transport) {}

  /** A client of the API on `socket` (default: the platform's), over the platform's transport. */
  static on(platform: Platform, socket = platform.paths.apiSocket): ApiClient {
    return new ApiClient(socket, (method, uri, body) => platform.unixRequest(socket, method, uri, body));
  }

  /** Any reply, whatever its status; only a transport failure throws. */
  async raw(method: string, uri: string, body?: string): Promise<Reply> {
    try {
      return await this.transport(method, uri, body);
    } catch (error) {
      const message = messageOf(error);
      if (message.startsWith('Response was not UTF-8')) throw new BrktError('io', message, { cause: error });
      throw new BrktError('unavailable', `Failed to send request: ${describeTransportError(error, this.socket)}`, { cause: error });
    }
  }

  /** A 2xx reply, else `Status <code> when <METHOD>ing <uri>: <body>` (apiclient.md 1.1). */
  async checked(method: string, uri: string, body?: string): Promise<Reply> {
    const reply = await this.raw(method, uri, body);
    if (reply.status < 200 || reply.status > 299) {
      throw new ApiStatusError(reply.status, `Status ${reply.status} when ${method}ing ${uri}: ${reply.body}`, reply.body);
    }
    return reply;
  }

  async getJson<T = unknown>(uri: string): Promise<T> {
    const reply = await this.checked('GET', uri);
    try {
      return JSON.parse(reply.body) as T;
    } catch (error) {
      throw new BrktError('io', `Response contained invalid JSON '${reply.body}' - ${messageOf(error)}`);
    }
  }
}

/** A non-2xx reply from the server. 4xx means the request was bad input. */
export class ApiStatusError extends BrktError {
  constructor(readonly status: number, message: string, readonly body: string) {
    super(status === 404 ? 'not-found' : status === 409 ? 'conflict' : status === 423 ? 'locked' : status >= 400 && status < 500 ? 'invalid-input' : 'io', message);
  }
}

function describeTransportError(error: unknown, socket: string): string {
  const code = (error as { code?: string })?.code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'FailedToOpenSocket') {
    return `the API server is not answering on ${socket} (${code})`;
  }
  return `${messageOf(error)} (socket ${socket})`;
}

/** `[A-Za-z0-9]{16}`: transaction names that never collide with other clients' pending changes. */
export function randomSuffix(length = 16): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, byte => alphabet[byte % alphabet.length]).join('');
}
