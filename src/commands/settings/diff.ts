import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { deepMerge, type Json } from '../../core/client/deep-merge';
import { diffSettings } from '../../core/client/settings-keys';
import { liveSettings, openSession } from './session';
import { changesJson, formatChanges, impactOf } from './changes';

export class SettingsDiffCommand extends BrktCommand {
  static override paths = [['diff']];
  static override usage = Command.Usage({
    description: 'Show a pending transaction against the live settings',
    details: 'Lists each changed key as old -> new, and the services and configuration files a commit would touch.',
    examples: [
      ['The default transaction', '$0 settings diff'],
      ['The boot transaction', '$0 settings diff --tx bottlerocket-launch'],
    ],
  });
  tx = Option.String('--tx', 'default', { description: 'Transaction to compare (default: default)' });
  json = Option.Boolean('--json', false, { description: 'Print the changes as JSON' });
  socket = Option.String('--socket', { description: 'API socket (default: run/api.sock under the root)' });

  async run() {
    const session = await openSession(this.platform, this.socket);
    const live = await liveSettings(session);
    // GET /tx gives only the pending keys, as a Settings document (api.md 6.5).
    const pending = await session.client.getJson<Json>(`/tx?tx=${encodeURIComponent(this.tx)}`);
    const changes = diffSettings(live, deepMerge(live, pending));
    const impact = await impactOf(session, changes);
    if (this.json) return this.outJson(changesJson(changes, impact));
    this.out(formatChanges(changes, impact));
  }
}
