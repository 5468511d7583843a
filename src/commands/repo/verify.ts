import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { verifyRepo } from '../../core/repo/operations';
import { location, repoFiles, repoOptions } from './shared';

export class RepoVerifyCommand extends BrktCommand {
  static override paths = [['verify']];
  static override usage = Command.Usage({
    description: "Check every target against the signed metadata and decode every LZ4 image",
    examples: [['Check a repository before publishing it', '$0 repo verify ./repo']],
  });
  dir = repoOptions().dir;
  keys = repoOptions().keys;
  json = Option.Boolean('--json', false, { description: 'Print the targets as JSON' });

  async run() {
    const targets = await verifyRepo(repoFiles(), location(this), process.env.TMPDIR);
    if (this.json) return this.outJson(targets);
    for (const t of targets) this.out(`${t.name}  ${t.length}${t.decodedLength !== undefined ? ` -> ${t.decodedLength}` : ''}\n`);
  }
}
