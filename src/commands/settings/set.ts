import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { settingsFromJsonArgument } from '../../core/client/settings-input';
import { diffSettings, parseSettingKey, setIn, typedValue } from '../../core/client/settings-keys';
import { deepMerge, type Json } from '../../core/client/deep-merge';
import { validateModel } from '../../core/model/validate';
import { BrktError } from '../../core/errors';
import { commitDocuments, liveSettings, openSession, reportOutcome } from './session';
import { formatChanges, impactOf } from './changes';

export class SettingsSetCommand extends BrktCommand {
  static override paths = [['set']];
  static override usage = Command.Usage({
    description: 'Change settings in one transaction, then commit and apply them',
    details: 'Values are typed by the settings model: `max-pods=110` is a number, `motd=42` stays a string. Lists and maps are given as JSON. Nothing is staged when any value is invalid. When the commit succeeds but applying it fails, one line says both and the exit code is 1. (`--json` is the input document; `--json-result` prints the outcome.)',
    examples: [
      ['Set the message of the day', '$0 settings set motd="hello"'],
      ['Label the node', `$0 settings set 'kubernetes.node-labels."app.kubernetes.io/name"=web'`],
      ['Several settings as JSON', `$0 settings set --json '{"ntp":{"time-servers":["time.example.com"]}}'`],
      ['See what would change', '$0 settings set updates.ignore-waves=true --dry-run'],
      ['Report the committed keys and whether they applied, as JSON', '$0 settings set motd=hi --json-result'],
    ],
  });
  pairs = Option.Rest({ name: 'KEY=VALUE' });
  json = Option.String('--json', { description: 'Settings as a JSON document instead of KEY=VALUE pairs' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Validate and show the changes; stage nothing' });
  socket = Option.String('--socket', { description: 'API socket (default: run/api.sock under the root)' });
  jsonResult = Option.Boolean('--json-result', false, { description: 'Print the outcome as JSON: transaction, committed keys, applied, and why applying failed' });

  async run() {
    const session = await openSession(this.platform, this.socket);
    const document = this.document(session.schema);
    validateModel(session.schema, document, { root: 'settings' });
    if (this.dryRun) {
      const live = await liveSettings(session);
      const changes = diffSettings(live, deepMerge(live, document));
      this.out(formatChanges(changes, await impactOf(session, changes)));
      return;
    }
    const outcome = await commitDocuments(session, 'set', [document]);
    if (this.jsonResult) this.outJson(outcome);
    reportOutcome(outcome);
  }

  private document(schema: Parameters<typeof typedValue>[0]): Record<string, Json> {
    if (this.json !== undefined && this.pairs.length) throw new BrktError('usage', 'Give KEY=VALUE pairs or --json, not both');
    if (this.json !== undefined) return settingsFromJsonArgument(this.json);
    if (!this.pairs.length) throw new BrktError('usage', 'Give at least one KEY=VALUE pair, or --json');
    const document: Record<string, Json> = {};
    for (const pair of this.pairs) {
      const eq = pair.indexOf('=');
      if (eq < 0) throw new BrktError('usage', `Expected KEY=VALUE, got '${pair}'`);
      const segments = parseSettingKey(pair.slice(0, eq));
      setIn(document, segments, typedValue(schema, segments, pair.slice(eq + 1)));
    }
    return document;
  }
}

