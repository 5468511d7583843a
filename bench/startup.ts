// Start-up: `brkt --version` beside `curl --version`, wall time and peak RSS.
import { BRKT, sandboxRoot } from './setup';
import { fmtMiB, fmtMs, measureCommand, type Row } from './measure';

export async function benchStartup(): Promise<Row[]> {
  const env = { BRKT_ROOT: await sandboxRoot(), PATH: process.env.PATH ?? '' };
  const ours = measureCommand([BRKT, '--version'], { env });
  const curl = measureCommand(['curl', '--version'], { env });
  return [
    { name: 'brkt --version wall', ours: fmtMs(ours.ms), reference: fmtMs(curl.ms), ratio: ours.ms / curl.ms, goal: '<= 1.0x curl --version' },
    { name: 'brkt --version peak RSS', ours: fmtMiB(ours.maxRssBytes), reference: fmtMiB(curl.maxRssBytes), ratio: ours.maxRssBytes / curl.maxRssBytes },
  ];
}
