// Entry point: picks the role from argv0, then loads only the code of the command asked for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRole, pickRole } from './dispatch';
import { writeErr, writeOut } from './commands/output';
import { chooseRoot } from './platform/root';
import { parseOsRelease } from './core/os-release';
import { VERSION } from './version';

async function main(): Promise<number> {
  const { role, shown, rest, root } = pickRole(process.argv0, process.argv.slice(2));
  if (role) return runGroup(role, rest, shown, root, [], shown !== role);

  const [first] = rest;
  if (first === '--version' || first === '-V') return printVersion(root);
  const { GROUPS } = await import('./commands/registry');
  if (first === 'help' && rest.length > 1) return helpFor(rest.slice(1), root);
  if (first === '--help' || first === '-h' || first === 'help') {
    writeOut(await helpText());
    return 0;
  }
  if (first === undefined) {
    writeErr(`brkt: missing command (see 'brkt --help')\n`);
    return 2;
  }
  if (!GROUPS.has(first)) {
    writeErr(`brkt: unknown command '${first}' (see 'brkt --help')\n`);
    return 2;
  }
  return runGroup(first, rest, 'brkt', root, [first]);
}

/** `brkt help GROUP [COMMAND...]` is `brkt GROUP [COMMAND...] --help`. */
async function helpFor(words: string[], root: string | undefined): Promise<number> {
  const { GROUPS } = await import('./commands/registry');
  const [name] = words;
  if (!GROUPS.has(name!)) {
    writeErr(`brkt: unknown command '${name}' (see 'brkt --help')\n`);
    return 2;
  }
  const args = [...words, '--help'];
  return isRole(name) ? runGroup(name, args.slice(1), `brkt ${name}`, root, [], true) : runGroup(name!, args, 'brkt', root, [name!]);
}

/**
 * Runs a group: an upstream role's own parser when it has one, else clipanion. `asBrkt` marks a
 * role named as `brkt ROLE`: a group of brkt's then answers help and unknown commands itself.
 */
async function runGroup(name: string, args: string[], shown: string, root: string | undefined, prefix: string[], asBrkt = false) {
  const { GROUPS } = await import('./commands/registry');
  const entry = GROUPS.get(name);
  if (!entry) {
    writeErr(`${shown}: this build has no ${name} yet\n`);
    return 1;
  }
  if (entry.lean) {
    const [lean, { makePlatform }] = await Promise.all([entry.lean(), import('./platform')]);
    const code = await lean(args.slice(prefix.length), { shown, platform: makePlatform({ root }) });
    if (code !== undefined) return code;
  }
  const module = await entry.load();
  if (asBrkt && !entry.hidden) {
    const { runCli, answersGroup } = await import('./commands/run-cli');
    if (answersGroup(module.commands, args)) {
      return runCli({ commands: module.commands, prefix: [name], binaryName: 'brkt', shown, args: [name, ...args], root, description: entry.description });
    }
  }
  if (module.runRole && prefix.length === 0) {
    const { makePlatform } = await import('./platform');
    return module.runRole(args, { shown, platform: makePlatform({ root }) });
  }
  const { runCli } = await import('./commands/run-cli');
  const binaryName = prefix.length ? 'brkt' : shown;
  return runCli({ commands: module.commands, prefix, binaryName, shown, args, root, description: entry.description });
}

function printVersion(rootFlag: string | undefined): number {
  const root = chooseRoot(rootFlag, process.env);
  let os = 'os unknown: no etc/os-release';
  try {
    const release = parseOsRelease(readFileSync(join(root, 'etc/os-release'), 'utf8'));
    os = `os ${release.versionId ?? '?'}, variant ${release.variantId ?? '?'}, build ${release.buildId ?? '?'}`;
  } catch {
    // No os-release under the root: say so in the line rather than failing --version.
  }
  writeOut(`brkt ${VERSION} (${os})\n`);
  return 0;
}

async function helpText(): Promise<string> {
  const { GROUPS } = await import('./commands/registry');
  const visible = [...GROUPS].filter(([, entry]) => !entry.hidden);
  const width = Math.max(...visible.map(([name]) => name.length));
  const lines = visible.map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.description}`);
  return [
    `brkt ${VERSION}: the host control plane (settings API, updates, partition sets, logs)`,
    '',
    'Usage: brkt [--root DIR] COMMAND [ARGS...]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    '  --root DIR   operate on the host rooted at DIR (default: $BRKT_ROOT, else /)',
    '  --version    print the brkt version and the OS version it runs on',
    '',
    `Linked as apiclient, apiserver, updog, signpost, logdog or sheltie, brkt speaks that tool's flags.`,
    `Run 'brkt COMMAND --help' for a command's options and examples.`,
    '',
  ].join('\n');
}

process.exitCode = await main();
