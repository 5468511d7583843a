import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { BrktError } from '../../core/errors';
import { SHELLS, buildTree, type CommandShape, type Shell } from './generate';
import { GROUPS } from '../registry';
import { buildCli } from '../run-cli';

/** The command paths and options of every brkt group, read from their clipanion definitions. */
export async function commandShapes(): Promise<{ shapes: CommandShape[]; values: Record<string, string[]> }> {
  const shapes: CommandShape[] = [];
  const values: Record<string, string[]> = {};
  for (const [name, entry] of GROUPS) {
    if (entry.hidden) continue;
    const module = await entry.load();
    Object.assign(values, module.completionValues?.());
    const cli = buildCli(module.commands, [name], 'brkt');
    for (const definition of cli.definitions()) {
      const path = definition.path.split(' ').slice(1).filter(word => /^[a-z][\w-]*$/.test(word));
      const options = definition.options.flatMap(option => option.definition.match(/-{1,2}[\w-]+/g) ?? []);
      shapes.push({ path, options });
    }
  }
  return { shapes, values };
}

export async function completionScript(shell: Shell): Promise<string> {
  const { shapes, values } = await commandShapes();
  return SHELLS[shell](buildTree(shapes, { ...values, completions: Object.keys(SHELLS) }));
}

export class CompletionsCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Print a shell completion script',
    details: 'The script is generated from the command definitions; `completions/` in the source tree holds the same output.',
    examples: [
      ['Enable completion in the current bash', 'source <($0 completions bash)'],
      ['Install for fish', '$0 completions fish > ~/.config/fish/completions/brkt.fish'],
    ],
  });
  shell = Option.String({ required: true, name: 'bash|zsh|fish' });

  async run() {
    if (!(this.shell in SHELLS)) {
      throw new BrktError('usage', `Unknown shell '${this.shell}': choose bash, zsh or fish`);
    }
    this.out(await completionScript(this.shell as Shell));
  }
}

export const commands = [CompletionsCommand];
