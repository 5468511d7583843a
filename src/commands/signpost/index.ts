// `brkt signpost` and the `signpost` role: A/B partition set flags (signpost.md). Both names go
// through signpost's own parser; the clipanion classes describe the commands for completions.
import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import type { CommandClass } from 'clipanion';
import type { BrktContext } from '../context';
import { runSignpost, SIGNPOST_COMMANDS } from './run-signpost';

/** Examples for the group help and the commands' own help. */
const EXAMPLES: Record<string, Array<[string, string]>> = {
  status: [['Show both partition sets and which boots next', '$0 signpost status'], ['The same as JSON', '$0 signpost status --json']],
  'rollback-to-inactive': [['Boot the other partition set next (what `brkt rollback` does)', '$0 signpost rollback-to-inactive']],
};

function signpostCommand(name: string, description: string): CommandClass<BrktContext> {
  return class extends BrktCommand {
    static override paths = [[name]];
    static override usage = Command.Usage({ description, examples: EXAMPLES[name] });
    json = name === 'status' ? Option.Boolean('--json', false, { description: 'Print the state as JSON' }) : false;

    async run() {
      return runSignpost([name, ...(this.json ? ['--json'] : [])], { shown: this.context.shown, platform: this.platform });
    }
  };
}

export const commands = SIGNPOST_COMMANDS.map(([name, description]) => signpostCommand(name, description));
export const runRole = runSignpost;
