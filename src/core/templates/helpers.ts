// schnauzer's template helpers: the 2020 set (base64_decode, join_map, default, ecr-prefix) and
// the later ones the shipped templates use. Output is never HTML-escaped, as in schnauzer.
import Handlebars, { type HelperDelegate, type HelperOptions } from 'handlebars';
import { decodeBase64 } from './base64';
import { ecrPrefix } from './ecr-prefix';
import { quotedStringContent } from './formats';
import { HOST_FILE_HELPERS } from './host-helpers';

type Scalar = string | number | boolean;

const raw = (text: string) => new Handlebars.SafeString(text);

/** Splits a helper call into its parameters (missing values as `null`) and options. */
function paramsOf(name: string, args: unknown[], expected: number): unknown[] {
  const params = args.slice(0, -1).map(value => value ?? null);
  if (params.length !== expected) {
    throw new Error(`Helper '${name}' expects ${expected} parameter${expected === 1 ? '' : 's'}, got ${params.length}`);
  }
  return params;
}

const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Scalars as JSON shows them (strings without quotes), the way Rust's handlebars prints them. */
const plain = (value: Scalar) => String(value);

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : JSON.stringify(value));

function base64Decode(...args: unknown[]) {
  const [value] = paramsOf('base64_decode', args, 1);
  if (typeof value !== 'string') throw new Error(`Helper 'base64_decode' needs a string, got ${describe(value)}`);
  const bytes = decodeBase64(value);
  if (!bytes) throw new Error(`Helper 'base64_decode' got invalid base64: '${value}'`);
  try {
    // ignoreBOM keeps a leading BOM, as Rust's from_utf8 does, instead of silently dropping it.
    return raw(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    throw new Error(`Helper 'base64_decode' decoded '${value}' to bytes that are not UTF-8`);
  }
}

function joinMap(...args: unknown[]) {
  const [kvSeparator, pairSeparator, failMode, map] = paramsOf('join_map', args, 4);
  if (typeof kvSeparator !== 'string' || typeof pairSeparator !== 'string') {
    throw new Error(`Helper 'join_map' needs string separators`);
  }
  if (failMode !== 'fail-if-missing' && failMode !== 'no-fail-if-missing') {
    throw new Error(`Helper 'join_map' needs 'fail-if-missing' or 'no-fail-if-missing' as its third parameter, got ${describe(failMode)}`);
  }
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    if (failMode === 'no-fail-if-missing') return raw('');
    throw new Error(`Helper 'join_map' needs a map as its fourth parameter, got ${describe(map)}`);
  }
  // Sorted as Rust's BTreeMap iterates them; map keys are ASCII, so code-unit order is byte order.
  const keys = Object.keys(map).sort();
  const pairs = keys.map(key => {
    const value = (map as Record<string, unknown>)[key];
    if (!isScalar(value)) throw new Error(`Helper 'join_map' cannot join the value of '${key}': it is ${describe(value)}`);
    return `${key}${kvSeparator}${plain(value)}`;
  });
  return raw(pairs.join(pairSeparator));
}

function defaultHelper(...args: unknown[]) {
  const [fallback, value] = paramsOf('default', args, 2);
  if (!isScalar(fallback)) throw new Error(`Helper 'default' needs a scalar default, got ${describe(fallback)}`);
  if (value === null) return raw(plain(fallback));
  if (!isScalar(value)) throw new Error(`Helper 'default' cannot print ${describe(value)}`);
  return raw(plain(value));
}

function ecrPrefixHelper(...args: unknown[]) {
  const [region] = paramsOf('ecr-prefix', args, 1);
  if (typeof region !== 'string') throw new Error(`Helper 'ecr-prefix' needs a region string, got ${describe(region)}`);
  return raw(ecrPrefix(region));
}

/**
 * Later std helper: each string of a list in double quotes, joined by the delimiter. Upstream
 * puts the text between the quotes as it is; brkt escapes it (`\"`, `\\`, `\n`, ...) so that the
 * list stays one valid TOML, YAML or JSON array whatever the strings hold.
 */
function joinArray(...args: unknown[]) {
  const [delimiter, list] = paramsOf('join_array', args, 2);
  if (typeof delimiter !== 'string') throw new Error(`Helper 'join_array' needs a string delimiter, got ${describe(delimiter)}`);
  if (!Array.isArray(list)) throw new Error(`Helper 'join_array' needs an array, got ${describe(list)}`);
  return raw(list.map(item => {
    if (typeof item !== 'string') throw new Error(`Helper 'join_array' needs strings, got ${describe(item)}`);
    return `"${quotedStringContent(item)}"`;
  }).join(delimiter));
}

/** Later std block helper: the block when the value is present and not null, else `{{else}}`. */
function ifNotNull(this: unknown, ...args: unknown[]) {
  const options = args.at(-1) as HelperOptions;
  const [value] = paramsOf('if_not_null', args, 1);
  return value === null ? options.inverse(this) : options.fn(this);
}

/** Later std helper: the Go name of an architecture. */
function goarch(...args: unknown[]) {
  const [arch] = paramsOf('goarch', args, 1);
  if (arch === 'x86_64' || arch === 'amd64') return raw('amd64');
  if (arch === 'aarch64' || arch === 'arm64') return raw('arm64');
  throw new Error(`Helper 'goarch' does not know the architecture ${describe(arch)}`);
}

/** Later std helper: the host part of a URL (a bare host is taken as `https://<host>`). */
function host(...args: unknown[]) {
  const [url] = paramsOf('host', args, 1);
  if (typeof url !== 'string') throw new Error(`Helper 'host' needs a URL string, got ${describe(url)}`);
  const parsed = URL.parse(url) ?? URL.parse(`https://${url}`);
  if (!parsed?.hostname) throw new Error(`Helper 'host' could not find a host in '${url}'`);
  return raw(parsed.hostname);
}

/** TOML text of a value: a basic string with escapes, a number, a boolean, an array or an inline table. */
export function tomlEncode(value: unknown): string {
  if (typeof value === 'string') {
    const escaped = value.replace(/[\\"\u0000-\u001f\u007f]/g, char => {
      const short: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f' };
      return short[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
    return `"${escaped}"`;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlEncode).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => `${/^[A-Za-z0-9_-]+$/.test(key) ? key : tomlEncode(key)} = ${tomlEncode(item)}`);
    return `{ ${entries.join(', ')} }`;
  }
  throw new Error(`Helper 'toml_encode' cannot encode ${describe(value)}`);
}

function tomlEncodeHelper(...args: unknown[]) {
  const [value] = paramsOf('toml_encode', args, 1);
  return raw(tomlEncode(value));
}

/** Every schnauzer helper brkt knows, by the name templates call it. */
export const SCHNAUZER_HELPERS: Record<string, HelperDelegate> = {
  base64_decode: base64Decode,
  join_map: joinMap,
  default: defaultHelper,
  'ecr-prefix': ecrPrefixHelper,
  join_array: joinArray,
  if_not_null: ifNotNull,
  goarch,
  host,
  toml_encode: tomlEncodeHelper,
  // brkt: the files of current upstream's host programs (corndog, certdog, netdog, prairiedog).
  ...HOST_FILE_HELPERS,
};
