import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { BrktError } from '../../core/errors';
import { KEY_TYPES, type KeyType } from '../../core/repo/keys';
import { DEFAULT_EXPIRES, initRepo } from '../../core/repo/operations';
import { expiries, expiryOptions, location, repoFiles, repoOptions } from './shared';

export class RepoInitCommand extends BrktCommand {
  static override paths = [['init']];
  static override usage = Command.Usage({
    description: 'Create a signed update repository: keys, root, an empty manifest',
    details: `Writes DIR/metadata (1.root.json, timestamp.json, ...), DIR/targets and one private key per role in DIR/keys (or --keys). Ship metadata/1.root.json as usr/share/updog/root.json; publish only metadata/ and targets/. Default expiry: root ${DEFAULT_EXPIRES.root}, targets and snapshot ${DEFAULT_EXPIRES.targets}, timestamp ${DEFAULT_EXPIRES.timestamp}.`,
    examples: [['Create a repository', '$0 repo init ./repo']],
  });
  dir = repoOptions().dir;
  keys = repoOptions().keys;
  keyType = Option.String('--key-type', 'ed25519', { description: `Key type: ${KEY_TYPES.join(', ')}` });
  root = expiryOptions('expiry').root;
  targets = expiryOptions('expiry').targets;
  snapshot = expiryOptions('expiry').snapshot;
  timestamp = expiryOptions('expiry').timestamp;
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  async run() {
    if (!KEY_TYPES.includes(this.keyType as KeyType)) throw new BrktError('usage', `Unknown key type '${this.keyType}': use ${KEY_TYPES.join(', ')}`);
    const result = await initRepo(repoFiles(), location(this), { keyType: this.keyType as KeyType, expires: expiries(this), now: new Date() });
    if (this.json) return this.outJson(result);
    this.out(`Created repository ${location(this).dir}; trusted root: ${result.root}\n`);
  }
}
