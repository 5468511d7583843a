// Strict SemVer 2.0 versions as the Rust `semver` 1.x crate parses and orders them (updates.md
// "Conventions"): no `v`, no missing parts, no leading zeros; build metadata takes part in order.
import { BrktError } from '../errors';

export interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string[];
  build: string[];
  /** The text it was parsed from (already canonical: the grammar admits one spelling). */
  text: string;
}

const NUMERIC = /^(0|[1-9]\d*)$/;
const IDENT = /^[0-9A-Za-z-]+$/;
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

/** The version, or undefined when `text` is not a strict SemVer version. */
export function tryParseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text);
  if (!match) return undefined;
  const pre = match[4] === undefined ? [] : match[4].split('.');
  const build = match[5] === undefined ? [] : match[5].split('.');
  if (pre.some(id => !IDENT.test(id) || (/^\d+$/.test(id) && !NUMERIC.test(id)))) return undefined;
  if (build.some(id => !IDENT.test(id))) return undefined;
  return { major: BigInt(match[1]!), minor: BigInt(match[2]!), patch: BigInt(match[3]!), pre, build, text };
}

export function parseVersion(text: string, what = 'version'): Version {
  const version = tryParseVersion(text);
  if (!version) throw new BrktError('invalid-input', `Invalid ${what} '${text}': not a SemVer version (MAJOR.MINOR.PATCH)`);
  return version;
}

const sign = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** Identifier lists: numeric ones compare numerically and sort before alphanumeric ones. */
function compareIdentifiers(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum) {
      const order = sign(BigInt(x), BigInt(y)) || (x < y ? -1 : x > y ? 1 : 0);
      if (order) return order;
    } else if (xNum !== yNum) {
      return xNum ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return Math.sign(a.length - b.length);
}

export function compareVersions(a: Version, b: Version): number {
  const core = sign(a.major, b.major) || sign(a.minor, b.minor) || sign(a.patch, b.patch);
  if (core) return core;
  // A pre-release sorts before the release itself.
  if (a.pre.length === 0 && b.pre.length > 0) return 1;
  if (a.pre.length > 0 && b.pre.length === 0) return -1;
  return compareIdentifiers(a.pre, b.pre) || compareIdentifiers(a.build, b.build);
}

export const versionEquals = (a: Version, b: Version) => compareVersions(a, b) === 0;
