import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { settingsFromDocument } from '../../core/client/settings-input';
import { deepMerge, type Json } from '../../core/client/deep-merge';
import { diffSettings } from '../../core/client/settings-keys';
import { validateModel } from '../../core/model/validate';
import { BrktError, messageOf } from '../../core/errors';
import { readSource } from '../../platform/sources';
import { commitDocuments, liveSettings, openSession, reportOutcome } from './session';
import { formatChanges, impactOf } from './changes';

export class SettingsApplyCommand extends BrktCommand {
  static override paths = [['apply']];
  static override usage = Command.Usage({
    description: 'Apply TOML or JSON settings documents, merged in order, in one transaction',
    details: 'Each input is a file, `-` for stdin, or an http(s):// or file:// URL, holding a `settings` table. Later inputs win; maps merge key by key. Every input is read and validated before anything is staged.',
    examples: [
      ['Apply a file', '$0 settings apply ./node.toml'],
      ['Layer two documents', '$0 settings apply base.toml https://config.example.com/web.json'],
      ['From stdin', `echo '{"settings":{"motd":"hi"}}' | $0 settings apply -`],
    ],
  });
  inputs = Option.Rest({ name: 'FILE|URL|-', required: 1 });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Validate and show the changes; stage nothing' });
  socket = Option.String('--socket', { description: 'API socket (default: run/api.sock under the root)' });
  json = Option.Boolean('--json', false, { description: 'Print the outcome as JSON: transaction, committed keys, applied, and why applying failed' });

  async run() {
    const documents: Json[] = [];
    for (const input of this.inputs) {
      let text: string;
      try {
        text = await readSource(input, { allowPaths: true });
      } catch (error) {
        // A server that fails or times out is a failed operation (1); a bad input is 2.
        throw new BrktError(error instanceof BrktError ? error.code : 'invalid-input', `Cannot read '${input}': ${messageOf(error)}`);
      }
      documents.push(await settingsFromDocument(input, text));
    }
    const session = await openSession(this.platform, this.socket);
    const merged = documents.reduce<Json>((all, document) => deepMerge(all, document), {});
    validateModel(session.schema, merged, { root: 'settings' });
    if (this.dryRun) {
      const live = await liveSettings(session);
      const changes = diffSettings(live, deepMerge(live, merged));
      this.out(formatChanges(changes, await impactOf(session, changes)));
      return;
    }
    const outcome = await commitDocuments(session, 'apply', documents);
    if (this.json) this.outJson(outcome);
    reportOutcome(outcome);
  }
}
