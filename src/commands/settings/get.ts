import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { deepMerge, sortedJson, type Json } from '../../core/client/deep-merge';
import { flattenSettings, formatValue, getIn, parseSettingKey, settingName } from '../../core/client/settings-keys';
import { BrktError } from '../../core/errors';
import { openSession } from './session';

export class SettingsGetCommand extends BrktCommand {
  static override paths = [['get']];
  static override usage = Command.Usage({
    description: 'Print settings, as key=value lines or a JSON document',
    details: 'With no KEY, every setting. A KEY selects a setting or everything under it; the leading `settings.` is optional, and segments that contain dots are written in double quotes.',
    examples: [
      ['All settings', '$0 settings get'],
      ['One group as JSON', '$0 settings get updates --json'],
      ['A node label', `$0 settings get 'kubernetes.node-labels."app.kubernetes.io/name"'`],
    ],
  });
  keys = Option.Rest({ name: 'KEY' });
  json = Option.Boolean('--json', false, { description: 'Print a JSON document instead of key=value lines' });
  socket = Option.String('--socket', { description: 'API socket (default: run/api.sock under the root)' });

  async run() {
    const session = await openSession(this.platform, this.socket);
    const wanted = this.keys.map(parseSettingKey);
    const live = await session.client.getJson<Json>('/settings');
    let document: Json = {};
    if (!wanted.length) document = live;
    for (const segments of wanted) {
      const value = getIn(live, segments);
      if (value === undefined) throw new BrktError('not-found', `No setting '${settingName(segments)}' is set`);
      document = deepMerge(document, segments.reduceRight<Json>((inner, segment) => ({ [segment]: inner }), value));
    }
    if (this.json) return this.out(sortedJson(document) + '\n');
    for (const leaf of flattenSettings(document)) this.out(`${settingName(leaf.segments)}=${formatValue(leaf.value)}\n`);
  }
}
