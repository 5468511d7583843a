import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { expireRoles, refreshTimestamp } from '../../core/repo/operations';
import { expiries, expiryOptions, location, repoFiles, repoOptions } from './shared';

const describe = (v: Record<string, number>) => `root ${v.root}, targets ${v.targets}, snapshot ${v.snapshot}, timestamp ${v.timestamp}`;

export class RepoExpireCommand extends BrktCommand {
  static override paths = [['expire']];
  static override usage = Command.Usage({
    description: 'Set new expiry dates and re-sign (a new root version for --root-expires)',
    examples: [['Extend targets by 12 weeks', "$0 repo expire ./repo --targets-expires '12 weeks'"]],
  });
  dir = repoOptions().dir;
  keys = repoOptions().keys;
  root = expiryOptions('expiry').root;
  targets = expiryOptions('expiry').targets;
  snapshot = expiryOptions('expiry').snapshot;
  timestamp = expiryOptions('expiry').timestamp;

  async run() {
    const versions = await expireRoles(repoFiles(), location(this), expiries(this), new Date());
    this.out(`Signed ${describe(versions)}\n`);
  }
}

export class RepoRefreshTimestampCommand extends BrktCommand {
  static override paths = [['refresh-timestamp']];
  static override usage = Command.Usage({
    description: 'Re-sign the timestamp with a new expiry (default: 1 week)',
    examples: [['Keep a repository fresh', '$0 repo refresh-timestamp ./repo']],
  });
  dir = repoOptions().dir;
  keys = repoOptions().keys;
  expires = Option.String('--expires', '1 week', { description: "Offset like '7 days', or an RFC 3339 date" });

  async run() {
    const versions = await refreshTimestamp(repoFiles(), location(this), this.expires, new Date());
    this.out(`Signed timestamp version ${versions.timestamp}\n`);
  }
}

export { describe as describeVersions };
