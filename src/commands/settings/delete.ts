import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { parseSettingKey, settingName } from '../../core/client/settings-keys';
import { newTransaction, openSession } from './session';

export class SettingsDeleteCommand extends BrktCommand {
  static override paths = [['delete']];
  static override usage = Command.Usage({
    description: 'Remove settings (and everything under them), then commit and apply',
    details: 'Upstream cannot remove a setting; brkt stages removals in a transaction like any change.',
    examples: [['Drop a node label', `$0 settings delete 'kubernetes.node-labels."app.kubernetes.io/name"'`]],
  });
  keys = Option.Rest({ name: 'KEY', required: 1 });
  socket = Option.String('--socket', { description: 'API socket (default: run/api.sock under the root)' });

  async run() {
    const names = this.keys.map(key => `settings.${settingName(parseSettingKey(key))}`);
    const session = await openSession(this.platform, this.socket);
    const tx = newTransaction('delete');
    try {
      await session.client.checked('DELETE', `/settings?tx=${tx}&keys=${encodeURIComponent(names.join(','))}`);
      await session.client.checked('POST', `/tx/commit_and_apply?tx=${tx}`);
    } catch (error) {
      await session.client.raw('DELETE', `/tx?tx=${tx}`).catch(() => undefined);
      throw error;
    }
  }
}
