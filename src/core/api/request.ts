// Request conventions of api.md section 2: form-encoded query strings (last value wins), comma
// lists, the `tx` parameter, JSON content types and the body size limit.
import { ApiError } from './api-error';
import { encodeSegment } from '../datastore/encoding';
import { parseKey, type Key, type KeyKind } from '../datastore/key';
import { messageOf } from '../errors';

/** 2 MiB, today's upstream limit (api.md 2). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** A transaction is a directory; its encoded name must fit a file name. */
const MAX_NAME_BYTES = 255;

export type Query = Map<string, string>;

export function parseQuery(url: string): Query {
  const query: Query = new Map();
  const mark = url.indexOf('?');
  if (mark === -1) return query;
  for (const [name, value] of new URLSearchParams(url.slice(mark + 1))) query.set(name, value); // last wins
  return query;
}

/** `tx`, default `default`; empty (brkt decision) or too long for a directory name -> 400. */
export function transactionOf(query: Query): string {
  const tx = query.get('tx');
  if (tx === undefined) return 'default';
  if (tx === '') throw new ApiError(400, "Input 'tx' cannot be empty");
  if (encodeSegment(tx).length > MAX_NAME_BYTES) {
    throw new ApiError(400, `Input 'tx' is too long: a transaction name may take at most ${MAX_NAME_BYTES} bytes once percent-encoded`);
  }
  return tx;
}

/** A comma list; duplicates collapse; `undefined` when absent; empty -> 400. */
export function listOf(query: Query, name: string, required = false): string[] | undefined {
  const raw = query.get(name);
  if (raw === undefined) {
    if (required) throw new ApiError(400, `Missing required input '${name}'`);
    return undefined;
  }
  if (raw === '') throw new ApiError(400, `Input '${name}' cannot be empty`);
  return [...new Set(raw.split(','))];
}

export function prefixOf(query: Query): string | undefined {
  const prefix = query.get('prefix');
  if (prefix === '') throw new ApiError(400, "Input 'prefix' cannot be empty");
  return prefix;
}

export function keyOf(name: string, kind: KeyKind = 'data'): Key {
  try {
    return parseKey(name, kind);
  } catch (error) {
    throw new ApiError(400, `Unable to make ${kind} key '${name}': ${messageOf(error)}`);
  }
}

/** MIME subtype `json` or a `+json` suffix (api.md 2). */
export function isJsonContentType(header: string | null): boolean {
  if (!header) return false;
  const mime = header.split(';')[0]!.trim().toLowerCase();
  const slash = mime.indexOf('/');
  if (slash <= 0) return false;
  const subtype = mime.slice(slash + 1);
  return subtype === 'json' || subtype.endsWith('+json');
}

/** The body as UTF-8 text: 400 for a non-JSON content type, 413 over the limit. */
export async function jsonBodyText(request: Request, limit = MAX_BODY_BYTES): Promise<string> {
  if (!isJsonContentType(request.headers.get('content-type'))) throw new ApiError(400, 'Content type error');
  const tooLarge = (size: number | string) => new ApiError(413, `Payload too large: the body has ${size} bytes, the limit is ${limit}`);
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw tooLarge(declared);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body) {
      size += chunk.length;
      if (size > limit) throw tooLarge(`more than ${limit}`);
      chunks.push(chunk);
    }
  }
  try {
    // ignoreBOM keeps a byte order mark in the text, where the JSON reader refuses it as serde_json does.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiError(400, 'Json deserialize error: the body is not valid UTF-8');
  }
}
