import { Command, Option } from 'clipanion';
import { resolve } from 'node:path';
import { BrktCommand } from '../base';
import { addMigrationFiles } from '../../core/repo/operations';
import { location, repoFiles, repoOptions } from './shared';

export class RepoAddMigrationCommand extends BrktCommand {
  static override paths = [['add-migration']];
  static override usage = Command.Usage({
    description: 'Add migration binaries for the step FROM -> TO (lz4-compressed targets)',
    examples: [['Add a migration', '$0 repo add-migration ./repo --from 1.1.0 --to 1.2.0 migrate_v1.2.0_add-setting']],
  });
  dir = repoOptions().dir;
  keys = repoOptions().keys;
  from = Option.String('--from', { required: true, description: 'Version the step starts from' });
  to = Option.String('--to', { required: true, description: 'Version the step reaches' });
  files = Option.Rest({ required: 1, name: 'FILE' });

  async run() {
    const names = await addMigrationFiles(repoFiles(), location(this), { from: this.from, to: this.to, paths: this.files.map(file => resolve(file)), expires: {}, now: new Date() });
    this.out(`Added (${this.from}, ${this.to}): ${names.join(', ')}\n`);
  }
}
