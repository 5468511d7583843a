import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { describeRule, getIn, parseSettingKey, schemaAt, settingName } from '../../core/client/settings-keys';
import { variantDefaults } from '../../core/model/defaults';
import { KNOWN_VARIANTS } from '../../core/model/settings';
import { assemble } from '../../core/datastore/pairs';
import { BrktError } from '../../core/errors';
import type { Json } from '../../core/client/deep-merge';
import { liveSettings, openSession } from './session';

/** The variant's default settings as a document (without the `settings` level). */
function defaultsDocument(variant: string): Json {
  const pairs = variantDefaults(variant).settings.map(pair => ({ segments: pair.key.segments, text: pair.text }));
  return assemble(pairs, 1).value as Json;
}

export class SettingsDescribeCommand extends BrktCommand {
  static override paths = [['describe']];
  static override usage = Command.Usage({
    description: 'Describe a setting: type, rule, default, current value and affected services',
    examples: [['What is the update seed?', '$0 settings describe updates.seed']],
  });
  key = Option.String({ name: 'KEY' });
  json = Option.Boolean('--json', false, { description: 'Print the description as JSON' });
  socket = Option.String('--socket', { description: 'API socket (default: run/api.sock under the root)' });

  async run() {
    const session = await openSession(this.platform, this.socket);
    const segments = parseSettingKey(this.key);
    const name = settingName(segments);
    const node = schemaAt(session.schema, segments);
    if (!node) throw new BrktError('invalid-input', `Unknown setting '${name}'`);
    const defaults = session.variant && KNOWN_VARIANTS.includes(session.variant)
      ? defaultsDocument(session.variant)
      : undefined;
    const current = getIn(await liveSettings(session), segments);
    const affected = await session.client
      .getJson<Record<string, string[]>>(`/metadata/affected-services?keys=${encodeURIComponent(`settings.${name}`)}`)
      .catch(() => ({} as Record<string, string[]>));
    const description = {
      key: `settings.${name}`,
      ...describeRule(node),
      default: getIn(defaults, segments) ?? null,
      current: current ?? null,
      'affected-services': [...new Set(Object.values(affected).flat())].sort(),
    };
    if (this.json) return this.outJson(description);
    const show = (value: unknown) => (value === null || value === undefined ? '(unset)' : JSON.stringify(value));
    this.out([
      `key:               ${description.key}`,
      `type:              ${description.type}`,
      ...(description.rule ? [`rule:              ${description.rule}`] : []),
      ...(description.description ? [`description:       ${description.description}`] : []),
      `default:           ${show(description.default)}`,
      `current:           ${show(description.current)}`,
      `affected services: ${description['affected-services'].join(', ') || '(none)'}`,
    ].join('\n') + '\n');
  }
}
