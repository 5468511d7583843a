import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { parseSettingKey, settingName } from '../../core/client/settings-keys';
import { commitTransaction, openSession, reportOutcome } from './session';

export class SettingsDeleteCommand extends BrktCommand {
  static override paths = [['delete']];
  static override usage = Command.Usage({
    description: 'Remove settings (and everything under them), then commit and apply',
    details: 'Upstream cannot remove a setting; brkt stages removals in a transaction like any change.',
    examples: [['Drop a node label', `$0 settings delete 'kubernetes.node-labels."app.kubernetes.io/name"'`]],
  });
  keys = Option.Rest({ name: 'KEY', required: 1 });
  socket = Option.String('--socket', { description: 'API socket (default: run/api.sock under the root)' });
  json = Option.Boolean('--json', false, { description: 'Print the outcome as JSON: transaction, committed keys, applied, and why applying failed' });

  async run() {
    const names = this.keys.map(key => `settings.${settingName(parseSettingKey(key))}`);
    const session = await openSession(this.platform, this.socket);
    const outcome = await commitTransaction(session, 'delete', async tx => {
      await session.client.checked('DELETE', `/settings?tx=${tx}&keys=${encodeURIComponent(names.join(','))}`);
    });
    if (this.json) this.outJson(outcome);
    reportOutcome(outcome);
  }
}
