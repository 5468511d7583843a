// Base class of brkt's clipanion commands: `run()` does the work; expected failures become one
// line on stderr and the exit code of their error code.
import { Command } from 'clipanion';
import { reportError } from './report';
import type { BrktContext } from './context';

export abstract class BrktCommand extends Command<BrktContext> {
  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (error) {
      return reportError(this.context.shown, error);
    }
  }

  get platform() {
    return this.context.platform;
  }

  out(text: string) {
    this.context.stdout.write(text);
  }

  /** Prints a value as pretty JSON, the `--json` output of every command. */
  outJson(value: unknown) {
    this.out(JSON.stringify(value, null, 2) + '\n');
  }
}
