// Options every `brkt repo` command shares: the repository directory, the keys directory and
// the files of the machine (repositories live wherever the publisher keeps them, not under --root).
import { Option } from 'clipanion';
import { resolve } from 'node:path';
import { makePlatform } from '../../platform';
import type { Role } from '../../core/repo/metadata';

export const repoFiles = () => makePlatform({ root: '/', env: process.env }).files;

export const repoOptions = () => ({
  dir: Option.String({ required: true, name: 'DIR' }),
  keys: Option.String('--keys', { description: 'Directory of the private keys (default: DIR/keys)' }),
});

export const location = (command: { dir: string; keys?: string }) => ({ dir: resolve(command.dir), keysDir: command.keys ? resolve(command.keys) : undefined });

export const expiryOptions = (what: string) => ({
  root: Option.String('--root-expires', { description: `Root ${what} (an offset like '52 weeks', or an RFC 3339 date)` }),
  targets: Option.String('--targets-expires', { description: `Targets ${what}` }),
  snapshot: Option.String('--snapshot-expires', { description: `Snapshot ${what}` }),
  timestamp: Option.String('--timestamp-expires', { description: `Timestamp ${what}` }),
});

export const expiries = (command: Partial<Record<Role, string | undefined>>): Partial<Record<Role, string>> =>
  Object.fromEntries(Object.entries({ root: command.root, targets: command.targets, snapshot: command.snapshot, timestamp: command.timestamp }).filter(([, v]) => v !== undefined)) as Partial<Record<Role, string>>;
