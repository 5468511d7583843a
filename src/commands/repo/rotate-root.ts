import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { BrktError } from '../../core/errors';
import { KEY_TYPES, type KeyType } from '../../core/repo/keys';
import { ROLES, type Role } from '../../core/repo/metadata';
import { rotateRepoRoot } from '../../core/repo/operations';
import { location, repoFiles, repoOptions } from './shared';
import { describeVersions } from './expire';

export class RepoRotateRootCommand extends BrktCommand {
  static override paths = [['rotate-root']];
  static override usage = Command.Usage({
    description: 'Write root version N+1, signed by the old and the new root keys',
    details: 'With --new-keys, the listed roles get fresh keys (kept in the keys directory) and their metadata is re-signed. Hosts follow the chain N.root.json -> N+1.root.json on their next check.',
    examples: [['Replace the root and timestamp keys', '$0 repo rotate-root ./repo --new-keys root,timestamp']],
  });
  dir = repoOptions().dir;
  keys = repoOptions().keys;
  newKeys = Option.String('--new-keys', '', { description: `Roles that get new keys, comma-separated (${ROLES.join(', ')})` });
  keyType = Option.String('--key-type', 'ed25519', { description: `Type of new keys: ${KEY_TYPES.join(', ')}` });
  expires = Option.String('--expires', { description: 'Expiry of the new root (default: that of the current one)' });

  async run() {
    const roles = this.newKeys.split(',').map(r => r.trim()).filter(Boolean);
    for (const role of roles) if (!ROLES.includes(role as Role)) throw new BrktError('usage', `Unknown role '${role}' in --new-keys: use ${ROLES.join(', ')}`);
    if (!KEY_TYPES.includes(this.keyType as KeyType)) throw new BrktError('usage', `Unknown key type '${this.keyType}': use ${KEY_TYPES.join(', ')}`);
    const versions = await rotateRepoRoot(repoFiles(), location(this), { newKeys: roles as Role[], keyType: this.keyType as KeyType, expires: this.expires, now: new Date() });
    this.out(`Signed ${describeVersions(versions)}\n`);
  }
}
