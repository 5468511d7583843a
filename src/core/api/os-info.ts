// OS info for `/os` and the model (api.md section 4): os-release fields plus the machine
// architecture, with upstream's snake_case names. Mirrors bottlerocket-release.
import { ApiError } from './api-error';
import { parseOsRelease } from '../os-release';

export interface OsInfo {
  pretty_name: string;
  variant_id: string;
  version_id: string;
  build_id: string;
  arch: string;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Builds OsInfo from os-release text; any problem is the 500 of api.md section 3. */
export function osInfoFrom(text: string | undefined, arch: string): OsInfo {
  const fail = (reason: string): never => {
    throw new ApiError(500, `Unable to get OS release data: ${reason}`);
  };
  if (text === undefined) return fail('os-release file not found');
  const fields = Object.fromEntries(Object.entries(parseOsRelease(text).fields).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of ['pretty_name', 'variant_id', 'version_id', 'build_id']) {
    if (fields[name] === undefined) fail(`missing field ${name.toUpperCase()}`);
  }
  if (!SEMVER.test(fields.version_id!)) fail(`VERSION_ID '${fields.version_id}' is not a semantic version`);
  return { pretty_name: fields.pretty_name!, variant_id: fields.variant_id!, version_id: fields.version_id!, build_id: fields.build_id!, arch };
}
