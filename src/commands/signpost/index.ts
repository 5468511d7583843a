// `brkt signpost` and the `signpost` role: A/B partition set flags (signpost.md). Both names go
// through signpost's own parser; the clipanion classes describe the commands for completions.
import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import type { CommandClass } from 'clipanion';
import type { BrktContext } from '../context';
import { runSignpost, SIGNPOST_COMMANDS } from './run-signpost';

function signpostCommand(name: string, description: string): CommandClass<BrktContext> {
  return class extends BrktCommand {
    static override paths = [[name]];
    static override usage = Command.Usage({ description });
    json = name === 'status' ? Option.Boolean('--json', false, { description: 'Print the state as JSON' }) : false;

    async run() {
      return runSignpost([name, ...(this.json ? ['--json'] : [])], { shown: this.context.shown, platform: this.platform });
    }
  };
}

export const commands = SIGNPOST_COMMANDS.map(([name, description]) => signpostCommand(name, description));
export const runRole = runSignpost;
