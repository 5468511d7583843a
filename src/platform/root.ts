import { resolve } from 'node:path';

/** Root from `--root`, else `BRKT_ROOT`, else `/` (cli.md "The root prefix"). */
export function chooseRoot(flag: string | undefined, env: Record<string, string | undefined>): string {
  return resolve(flag ?? env.BRKT_ROOT ?? '/');
}
