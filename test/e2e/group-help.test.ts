// Every command group explains itself: `brkt GROUP --help`, `brkt GROUP` and `brkt help GROUP`.
// The groups come from the registry, so a group added later is covered without a new test.
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brkt } from '../helpers/brkt';
import { GROUPS } from '../../src/commands/registry';
import { ROLE_NAMES, isRole } from '../../src/dispatch';

interface Group {
  name: string;
  description: string;
  /** Command paths inside the group (`[]` for a command run as the group itself). */
  commands: Array<{ path: string[]; description: string }>;
  /** An upstream tool's name with upstream's own command line (apiserver, migrator, ...). */
  upstream: boolean;
}

/** Groups named after an upstream program keep that program's help text. */
const UPSTREAM_TOOLS = new Set<string>([...ROLE_NAMES, 'migrator']);

const groups: Group[] = [];
for (const [name, entry] of GROUPS) {
  if (entry.hidden) continue;
  const module = await entry.load();
  const commands = module.commands.flatMap(command => (command.paths ?? [[]]).map(path => ({ path, description: command.usage?.description ?? '' })));
  groups.push({ name, description: entry.description, commands, upstream: UPSTREAM_TOOLS.has(name) });
}
const withSubcommands = groups.filter(group => group.commands.some(command => command.path.length > 0));
const single = groups.filter(group => !withSubcommands.includes(group));

/** Every inner node of a group's command tree: `[]`, and `['settings']` for `fleet settings set`. */
function nodesOf(group: Group): string[][] {
  const nodes = new Map<string, string[]>();
  for (const { path } of group.commands) for (let i = 0; i < path.length; i++) nodes.set(path.slice(0, i).join(' '), path.slice(0, i));
  return [...nodes.values()];
}

test('the registry has groups with subcommands to check', () => {
  expect(withSubcommands.map(group => group.name)).toEqual(expect.arrayContaining(['settings', 'fleet', 'repo', 'dev', 'update', 'signpost']));
});

describe.each(withSubcommands.map(group => [group.name, group] as const))('brkt %s', (name, group) => {
  test.concurrent.each(nodesOf(group).map(node => [node.join(' ') || '(group)', node] as const))('%s: --help lists its commands with descriptions and examples', async (_, node) => {
    const help = await brkt('brkt', [name, ...node, '--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    if (node.length === 0) expect(help.stdout).toStartWith(`${group.description}\n`);
    for (const command of group.commands.filter(command => node.every((word, i) => command.path[i] === word))) {
      expect(help.stdout).toMatch(new RegExp(`^  ${['brkt', name, ...command.path].join(' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${command.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
    expect(help.stdout).toMatch(new RegExp(`^Examples:\n  \\S.*\n    \\$ brkt ${name} `, 'm'));
    // `brkt help GROUP ...` is the same text, and so is the bare group when it runs nothing itself.
    expect(await brkt('brkt', ['help', name, ...node])).toEqual(help);
    if (!group.commands.some(command => command.path.length === node.length && node.every((word, i) => command.path[i] === word))) {
      expect(await brkt('brkt', [name, ...node])).toEqual(help);
    }
  });

  test.concurrent('an unknown command names the ones that exist, exit 2', async () => {
    const result = await brkt('brkt', [name, 'no-such-command']);
    const words = [...new Set(group.commands.filter(command => command.path.length > 0).map(command => command.path[0]!))];
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toStartWith(`brkt${isRole(name) ? ` ${name}` : ''}: unknown command 'no-such-command' for 'brkt ${name}'; the commands are: ${words.join(', ')} `);
  });
});

describe.each(single.map(group => [group.name, group] as const))('brkt %s (one command)', (name, group) => {
  test.concurrent('--help and help name it, exit 0', async () => {
    const help = await brkt('brkt', [name, '--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    // An upstream role keeps its own help text; brkt's commands show their description and examples.
    if (!group.upstream) {
      expect(help.stdout).toStartWith(`${group.commands[0]!.description}\n`);
      expect(help.stdout).toContain(`$ brkt `);
    } else expect(help.stdout).toContain(name);
    expect(await brkt('brkt', ['help', name])).toEqual(help);
  });
});

test.concurrent('help for an unknown group is exit 2', async () => {
  expect(await brkt('brkt', ['help', 'nosuch'])).toEqual({ stdout: '', stderr: `brkt: unknown command 'nosuch' (see 'brkt --help')\n`, code: 2 });
});

test.concurrent('signpost by its own name keeps upstream usage on stderr, exit 1; brkt signpost --help is brkt help', async () => {
  const upstream = await brkt('signpost', ['--help']);
  expect(upstream).toMatchObject({ stdout: '', code: 1 });
  expect(upstream.stderr).toStartWith('USAGE:\n    signpost <SUBCOMMAND>\n');
  const ours = await brkt('brkt', ['signpost', '--help']);
  expect(ours).toMatchObject({ stderr: '', code: 0 });
  expect(ours.stdout).toContain('\n  brkt signpost status ');
});

test.concurrent('the README shows the real group help of brkt settings', async () => {
  const readme = readFileSync(join(import.meta.dir, '../../README.md'), 'utf8');
  const help = await brkt('brkt', ['settings']);
  expect(help.code).toBe(0);
  expect(readme).toContain('```console\n$ brkt settings\n' + help.stdout + '```\n');
});
