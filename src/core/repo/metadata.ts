// Signed TUF metadata as plain JSON, for writing repositories: build the `signed` part of each
// role, sign its canonical JSON with the role's keys, and describe files for snapshot and
// timestamp. Plain objects keep hand-made (and deliberately broken) metadata easy in tests.
import { createHash } from 'node:crypto';
import { canonicalize } from '@tufjs/canonical-json';
import type { SigningKey } from './keys';
import { signerFor } from './keys';

export type Role = 'root' | 'targets' | 'snapshot' | 'timestamp';
export const ROLES: Role[] = ['root', 'targets', 'snapshot', 'timestamp'];
export const SPEC_VERSION = '1.0.0';

export type Signed = Record<string, unknown> & { _type: Role; version: number; expires: string; spec_version: string };

export interface SignedMetadata<T extends Signed = Signed> {
  signed: T;
  signatures: Array<{ keyid: string; sig: string }>;
}

export interface RootSigned extends Signed {
  _type: 'root';
  consistent_snapshot: boolean;
  keys: Record<string, { keytype: string; scheme: string; keyval: Record<string, string> }>;
  roles: Record<Role, { keyids: string[]; threshold: number }>;
}

export interface TargetEntry {
  length: number;
  hashes: { sha256: string };
  custom?: Record<string, unknown>;
}

export interface TargetsSigned extends Signed {
  _type: 'targets';
  targets: Record<string, TargetEntry>;
}

export interface MetaEntry {
  version: number;
  length?: number;
  hashes?: { sha256: string };
}

/** TUF dates: whole seconds, UTC, `Z`. */
export const tufDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Signs `signed` with each key (appending to nothing: the old signatures are dropped). */
export function signMetadata<T extends Signed>(signed: T, keys: SigningKey[]): SignedMetadata<T> {
  const bytes = Buffer.from(canonicalize(signed as never));
  return { signed, signatures: keys.map(key => signerFor(key)(bytes)).map(sig => ({ keyid: sig.keyID, sig: sig.sig })) };
}

/** The serialised form written to disk and served: pretty JSON, as tough writes it. */
export const encodeMetadata = (metadata: SignedMetadata) => Buffer.from(JSON.stringify(metadata, null, 2) + '\n');

/** A snapshot/timestamp `meta` entry describing a metadata file's bytes. */
export function describeFile(version: number, bytes: Uint8Array): MetaEntry {
  return { version, length: bytes.length, hashes: { sha256: createHash('sha256').update(bytes).digest('hex') } };
}

export function rootSigned(options: { version: number; expires: Date; keys: Record<Role, SigningKey[]>; threshold?: Partial<Record<Role, number>> }): RootSigned {
  const keys: RootSigned['keys'] = {};
  const roles = {} as RootSigned['roles'];
  for (const role of ROLES) {
    for (const signing of options.keys[role]) keys[signing.key.keyID] = signing.key.toJSON() as RootSigned['keys'][string];
    roles[role] = { keyids: options.keys[role].map(k => k.key.keyID), threshold: options.threshold?.[role] ?? 1 };
  }
  return { _type: 'root', spec_version: SPEC_VERSION, version: options.version, expires: tufDate(options.expires), consistent_snapshot: true, keys, roles };
}
