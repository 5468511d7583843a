// The model paths a template reads, found by walking its Handlebars syntax tree: every value
// printed, every helper and block argument, with `#each`/`#with` contexts and `this`/`../`
// resolved. Lets a test hold the affected-services metadata to what the templates use.
import Handlebars from 'handlebars';
import { parseTemplate } from './render';

type Node = { type: string; [field: string]: unknown };
type PathNode = Node & { parts: string[]; data: boolean; depth: number; original: string };

/** Marks "any element" of what an `#each` walks: a map's entry or a list's item. */
export const ANY_ELEMENT = '*';

/** Blocks whose body sees the first argument as its context. */
const CONTEXT_BLOCKS: Record<string, 'element' | 'value'> = { each: 'element', with: 'value' };

/**
 * Every model path `text` reads, as segments from the root of the data (`settings`, `os`, ...),
 * sorted and without duplicates. `ANY_ELEMENT` stands for the element an `#each` is at.
 */
export function templateReads(text: string): string[][] {
  const program = Handlebars.parse(parseTemplate(text).body) as unknown as Node;
  const reads = new Map<string, string[]>();
  const add = (path: string[]) => {
    if (path.length) reads.set(JSON.stringify(path), path);
  };

  /** The absolute path of a path expression in `contexts` (innermost last); undefined for `@data`. */
  const resolve = (node: PathNode, contexts: string[][]): string[] | undefined => {
    if (node.data) return undefined;
    const base = contexts[Math.max(0, contexts.length - 1 - node.depth)]!;
    return [...base, ...node.parts];
  };

  const visitExpression = (node: Node | undefined, contexts: string[][]) => {
    if (!node) return;
    if (node.type === 'PathExpression') {
      const path = resolve(node as PathNode, contexts);
      if (path) add(path);
    } else if (node.type === 'SubExpression') {
      visitCall(node, contexts, true);
    }
  };

  /** A mustache, block or subexpression: its name is a helper when it has arguments. */
  const visitCall = (node: Node, contexts: string[][], isHelper: boolean) => {
    const params = (node.params as Node[]) ?? [];
    const pairs = ((node.hash as { pairs?: Array<{ value: Node }> } | undefined)?.pairs ?? []).map(pair => pair.value);
    if (!isHelper && params.length === 0 && pairs.length === 0) visitExpression(node.path as Node, contexts);
    for (const param of [...params, ...pairs]) visitExpression(param, contexts);
  };

  const visitProgram = (program: Node | undefined, contexts: string[][]) => {
    for (const statement of (program?.body as Node[] | undefined) ?? []) {
      if (statement.type === 'MustacheStatement') {
        visitCall(statement, contexts, false);
      } else if (statement.type === 'BlockStatement') {
        visitCall(statement, contexts, true);
        const name = (statement.path as PathNode).original;
        const first = (statement.params as Node[])[0];
        const kind = CONTEXT_BLOCKS[name];
        let inner = contexts;
        if (kind && first?.type === 'PathExpression') {
          const path = resolve(first as PathNode, contexts);
          if (path) inner = [...contexts, kind === 'element' ? [...path, ANY_ELEMENT] : path];
        }
        visitProgram(statement.program as Node, inner);
        visitProgram(statement.inverse as Node, contexts);
      } else if (statement.type === 'PartialStatement' || statement.type === 'PartialBlockStatement' || statement.type === 'DecoratorBlock') {
        throw new Error(`templateReads: ${statement.type} is not supported`);
      }
    }
  };

  visitProgram(program, [[]]);
  return [...reads.values()].sort((a, b) => (a.join('.') < b.join('.') ? -1 : a.join('.') > b.join('.') ? 1 : 0));
}

/** The `settings.*` paths among `templateReads`, as data key segments (`settings`, `updates`, ...). */
export function templateSettingsReads(text: string): string[][] {
  return templateReads(text).filter(path => path[0] === 'settings' && path.length > 1);
}
