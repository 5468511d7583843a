import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { BrktError } from '../../core/errors';
import { openSession } from './session';

interface Entry {
  id: number;
  time: string;
  tx: string;
  uid: number | null;
  changes: Array<{ key: string; old: unknown; new: unknown }>;
}

export class SettingsHistoryCommand extends BrktCommand {
  static override paths = [['history']];
  static override usage = Command.Usage({
    description: 'List committed transactions: when, which transaction, and what changed',
    details: 'Secret values are shown redacted.',
    examples: [['The last five commits', '$0 settings history --last 5']],
  });
  last = Option.String('--last', { description: 'Only the last N commits' });
  json = Option.Boolean('--json', false, { description: 'Print the history as JSON' });
  socket = Option.String('--socket', { description: 'API socket (default: run/api.sock under the root)' });

  async run() {
    if (this.last !== undefined && !/^\d{1,9}$/.test(this.last)) throw new BrktError('usage', `Invalid --last '${this.last}': expected a whole number of commits`);
    const last = this.last === undefined ? undefined : Number(this.last);
    const session = await openSession(this.platform, this.socket);
    let entries = await session.client.getJson<Entry[]>('/tx/history');
    if (last !== undefined) entries = last === 0 ? [] : entries.slice(-last);
    if (this.json) return this.outJson(entries);
    const show = (value: unknown) => (value === null ? '(unset)' : JSON.stringify(value));
    for (const entry of entries) {
      this.out(`#${entry.id} ${entry.time} ${entry.tx}${entry.uid === null ? '' : ` uid=${entry.uid}`}\n`);
      for (const change of entry.changes) this.out(`  ${change.key}: ${show(change.old)} -> ${show(change.new)}\n`);
    }
  }
}
