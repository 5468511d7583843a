// Runs clipanion for one command group, with parse errors sent to stderr (exit 2) instead of
// clipanion's default of stdout and exit 1.
import { Cli, type CommandClass } from 'clipanion';
import { makePlatform } from '../platform';
import { stderrWriter, stdoutWriter, writeErr, writeOut } from './output';
import { oneLine } from './report';
import { commandShapes, groupHelp, groupRouteError, routeGroup } from './group-help';
import type { BrktContext } from './context';
import { VERSION } from '../version';

/** The command class with its paths placed under `prefix` (`status` -> `signpost status`). */
export function prefixed(command: CommandClass<BrktContext>, prefix: string[]): CommandClass<BrktContext> {
  if (prefix.length === 0) return command;
  const paths = (command.paths ?? [[]]).map(path => [...prefix, ...path]);
  const base = command as unknown as new () => object;
  return class extends base {
    static paths = paths;
  } as unknown as CommandClass<BrktContext>;
}

export function buildCli(commands: CommandClass<BrktContext>[], prefix: string[], binaryName: string) {
  const cli = new Cli<BrktContext>({ binaryName, binaryLabel: 'brkt', binaryVersion: VERSION, enableColors: false, enableCapture: false });
  for (const command of commands) cli.register(prefixed(command, prefix));
  return cli;
}

/**
 * Whether brkt's group logic, not an upstream role's parser, answers `args` of a group reached as
 * `brkt ROLE`: the group's help, an unknown command, or a command's `--help`.
 */
export function answersGroup(commands: CommandClass<BrktContext>[], args: string[]): boolean {
  const shapes = commandShapes(buildCli(commands, [], 'brkt'), 1);
  if (!shapes.some(shape => shape.path.length > 0)) return false;
  return routeGroup(shapes, args) !== undefined || args.some(arg => arg === '--help' || arg === '-h');
}

export async function runCli(options: {
  commands: CommandClass<BrktContext>[];
  prefix: string[];
  binaryName: string;
  shown: string;
  args: string[];
  root?: string;
  /** The group's one-line description, shown atop its help. */
  description?: string;
}): Promise<number> {
  const cli = buildCli(options.commands, options.prefix, options.binaryName);
  const groupName = [options.binaryName, ...options.prefix].join(' ');
  const shapes = commandShapes(cli, groupName.split(' ').length);
  const route = routeGroup(shapes, options.args.slice(options.prefix.length));
  if (route?.kind === 'help') {
    writeOut(groupHelp({ shapes, name: groupName, node: route.node, description: route.node.length ? undefined : options.description }));
    return 0;
  }
  if (route) {
    writeErr(`${options.shown}: ${groupRouteError(groupName, route, shapes)}\n`);
    return 2;
  }
  const context = {
    stdin: process.stdin,
    stdout: stdoutWriter,
    stderr: stderrWriter,
    env: process.env,
    colorDepth: 1,
    shown: options.shown,
    platform: makePlatform({ root: options.root }),
  } as unknown as BrktContext;
  let command;
  try {
    command = cli.process(options.args, context);
  } catch (error) {
    writeErr(`${options.shown}: ${describeParseError(error, options.binaryName)}\n`);
    return 2;
  }
  return cli.run(command, context);
}

/** Clipanion's messages can span lines (candidate lists); fold them into one. */
function describeParseError(error: unknown, binaryName: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const [first = '', ...others] = message.split('\n');
  const candidates = others.map(line => line.replace(/^\s*(\d+\.\s*)?/, '').replace(new RegExp(`^${binaryName} `), '').trim()).filter(Boolean);
  const head = first.trim().replace(/[.:]$/, '');
  return candidates.length ? `${head}: ${candidates.join(', ')} (see '${binaryName} --help')` : `${oneLine(head)} (see '${binaryName} --help')`;
}
