// Help for command groups (`brkt settings`, `brkt fleet settings --help`, `brkt help dev`),
// derived from the clipanion definitions, so every group (and any group added later) lists its
// commands without help text of its own.
import type { Cli } from 'clipanion';

/** One command of a group as its definition describes it, with its path inside the group. */
export interface CommandShape {
  path: string[];
  /** Takes positional arguments (its usage names some). */
  takesArgs: boolean;
  description: string;
  examples: Array<[string, string]>;
  options: Array<{ definition: string; description?: string }>;
}

/** What the words given to a group ask for, where clipanion alone would answer badly. */
export type GroupRoute =
  | { kind: 'help'; node: string[] }
  | { kind: 'unknown'; node: string[]; word: string }
  | { kind: 'missing'; node: string[] };

const isHelpFlag = (arg: string) => arg === '--help' || arg === '-h';
const startsWith = (path: string[], node: string[]) => node.every((word, i) => path[i] === word);

/** The shapes of a clipanion CLI's commands; `groupWords` are the words before a command's own path. */
export function commandShapes(cli: Pick<Cli, 'definitions'>, groupWords: number): CommandShape[] {
  return cli.definitions().map(definition => {
    const words = definition.path.split(' ');
    return {
      path: words.slice(groupWords),
      takesArgs: definition.usage.trim() !== definition.path.trim(),
      description: definition.description ?? '',
      // clipanion ends each example's text with a newline of its own layout.
      examples: (definition.examples ?? []).map(([what, line]) => [what.trim(), line.trim()] as [string, string]),
      options: definition.options.map(option => ({ definition: option.definition.replace(/#\d+/g, 'VALUE'), description: option.description })),
    };
  });
}

/**
 * Decides whether `args` (the words after the group's own name) ask for a group's help, name a
 * command that does not exist, or stop at a group without naming a command. `undefined`: a
 * command of the group is meant and clipanion parses it.
 */
export function routeGroup(shapes: CommandShape[], args: string[]): GroupRoute | undefined {
  const node: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-')) break;
    const deeper = [...node, arg];
    if (!shapes.some(({ path }) => path.length >= deeper.length && startsWith(path, deeper))) break;
    node.push(arg);
  }
  if (!shapes.some(({ path }) => path.length > node.length && startsWith(path, node))) return undefined;
  const exact = shapes.find(({ path }) => path.length === node.length && startsWith(path, node));
  const rest = args.slice(node.length);
  const [next] = rest;
  if (next === undefined) return exact ? undefined : { kind: 'help', node };
  if (isHelpFlag(next) && rest.length === 1) return { kind: 'help', node };
  if (!next.startsWith('-')) return exact?.takesArgs ? undefined : { kind: 'unknown', node, word: next };
  return exact ? undefined : { kind: 'missing', node };
}

/** The words that may follow `node` (`get`, `set`, ...), each once, in definition order. */
export function childWords(shapes: CommandShape[], node: string[]): string[] {
  return [...new Set(shapes.filter(({ path }) => path.length > node.length && startsWith(path, node)).map(({ path }) => path[node.length]!))];
}

const table = (rows: Array<[string, string]>) => {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd());
};

/**
 * The help of the group at `node`: its description, every command under it with its one-line
 * description, the options of a command that runs at the group itself, and two examples.
 */
export function groupHelp(options: { shapes: CommandShape[]; name: string; node: string[]; description?: string }): string {
  const name = [options.name, ...options.node].join(' ');
  const under = options.shapes.filter(({ path }) => startsWith(path, options.node));
  const itself = under.find(({ path }) => path.length === options.node.length);
  const examples = under.flatMap(shape => shape.examples.slice(0, 1)).slice(0, 2);
  const lines = [
    options.description ?? `The commands of '${name}'`,
    '',
    `Usage: ${name} COMMAND [OPTIONS] [ARGS...]`,
    '',
    'Commands:',
    ...table(under.map(shape => [[name, ...shape.path.slice(options.node.length)].join(' '), shape.description])),
  ];
  if (itself?.options.length) {
    lines.push('', `Options of '${name}' itself:`, ...table(itself.options.map(option => [option.definition, option.description ?? ''])));
  }
  if (examples.length) lines.push('', 'Examples:', ...examples.map(([what, line]) => `  ${what}\n    $ ${line}`));
  lines.push('', `Run '${name} COMMAND --help' for a command's options and more examples.`, '');
  return lines.join('\n');
}

/** The one-line complaint for a word that names no command of the group, or for no command at all. */
export function groupRouteError(name: string, route: Exclude<GroupRoute, { kind: 'help' }>, shapes: CommandShape[]): string {
  const group = [name, ...route.node].join(' ');
  const head = route.kind === 'unknown' ? `unknown command '${route.word}' for '${group}'` : `'${group}' needs a command`;
  return `${head}; the commands are: ${childWords(shapes, route.node).join(', ')} (see '${group} --help')`;
}
