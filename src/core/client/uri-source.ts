// Which resolver reads an `apiclient apply` / `network configure` source, in upstream's order
// (settings-now.md 3.3; apiclient's uri_resolver.rs and tls_resolvers.rs). Pure: the platform
// reads what this names.
import { BrktError } from '../errors';

export type UriSource =
  | { kind: 'stdin' }
  | { kind: 'base64'; data: string }
  | { kind: 'file'; path: string }
  | { kind: 'http'; url: string }
  | { kind: 's3'; bucket: string; key: string }
  | { kind: 'secretsmanager'; id: string; region?: string }
  | { kind: 'ssm'; name: string; region?: string };

const parseUrl = (input: string): URL | undefined => {
  try {
    return new URL(input);
  } catch {
    return undefined;
  }
};

/** `arn:<partition>:<service>:<region>:<account>:<resource>`; service and region non-empty. */
function arnOf(input: string): { service: string; region: string } | undefined {
  const parts = input.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || !parts[2] || !parts[3]) return undefined;
  return { service: parts[2], region: parts[3] };
}

/** The first resolver that accepts `input`, or upstream's `No URI resolver found for '<input>'`. */
export function selectSource(input: string): UriSource {
  if (input === '-') return { kind: 'stdin' };
  if (input.startsWith('base64:') && input.length > 'base64:'.length) return { kind: 'base64', data: input.slice('base64:'.length) };
  const url = parseUrl(input);
  // `file:///abs` only: a host other than localhost has no local path (url's to_file_path).
  if (url?.protocol === 'file:' && (url.hostname === '' || url.hostname === 'localhost')) {
    return { kind: 'file', path: decodeURIComponent(url.pathname) };
  }
  if ((url?.protocol === 'http:' || url?.protocol === 'https:') && url.hostname !== '') return { kind: 'http', url: url.href };
  if (input.startsWith('s3://')) {
    const rest = input.slice('s3://'.length);
    const slash = rest.indexOf('/');
    if (slash > 0 && slash < rest.length - 1) return { kind: 's3', bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
  }
  const arn = arnOf(input);
  if (arn?.service === 'secretsmanager') return { kind: 'secretsmanager', id: input, region: arn.region };
  if (input.startsWith('secretsmanager://') && input.length > 'secretsmanager://'.length) {
    return { kind: 'secretsmanager', id: input.slice('secretsmanager://'.length) };
  }
  if (arn?.service === 'ssm') return { kind: 'ssm', name: input, region: arn.region };
  if (input.startsWith('ssm://') && input.length > 'ssm://'.length) return { kind: 'ssm', name: input.slice('ssm://'.length) };
  throw new BrktError('invalid-input', `No URI resolver found for '${input}'`);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Standard base64 with the padding required, decoded strictly like the base64 crate's STANDARD
 * engine; the message names the first offending byte.
 */
export function decodeBase64Strict(data: string): Uint8Array {
  for (let i = 0; i < data.length; i++) {
    const char = data[i]!;
    if (BASE64.includes(char)) continue;
    // Padding only in the last two places of a length that is a multiple of four.
    if (char === '=' && data.length % 4 === 0 && i >= data.length - 2 && /^=+$/.test(data.slice(i))) break;
    if (char === '=') throw new Error('Invalid padding');
    throw new Error(`Invalid symbol ${data.charCodeAt(i)}, offset ${i}.`);
  }
  if (data.length % 4 !== 0) throw new Error(data.length % 4 === 1 ? `Invalid input length.` : 'Invalid padding');
  return Uint8Array.from(Buffer.from(data, 'base64'));
}

/** Exactly what upstream accepts as text: UTF-8, else `Failed to decode as UTF-8 for <uri>`. */
export function utf8Text(bytes: Uint8Array, uri: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new BrktError('invalid-input', `Failed to decode as UTF-8 for ${uri}`);
  }
}
