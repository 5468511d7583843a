// Regenerates completions/ from the command definitions (a test checks they are current).
import { writeFileSync } from 'node:fs';
import { completionScript } from '../src/commands/completions/index';
import { SHELLS, type Shell } from '../src/commands/completions/generate';

for (const shell of Object.keys(SHELLS) as Shell[]) {
  writeFileSync(`completions/brkt.${shell}`, await completionScript(shell));
}
