import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { ROLE_NAMES } from '../dispatch';
import { createRoleLinks } from '../platform/links';

export class LinksCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Create the upstream tool links (apiclient, apiserver, updog, signpost, logdog, sheltie)',
    details: 'Each link points at this brkt binary, which then behaves as the tool it is named after. Existing links are kept or repointed; a regular file of the same name is never overwritten.',
    examples: [['Install the links beside brkt', '$0 links /usr/local/bin']],
  });
  dir = Option.String({ required: true, name: 'DIR' });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  async run() {
    const results = await createRoleLinks(this.dir, process.execPath, ROLE_NAMES);
    if (this.json) return this.outJson(results);
    for (const result of results) this.out(`${result.action.padEnd(8)} ${result.path} -> ${process.execPath}\n`);
  }
}

export const commands = [LinksCommand];
