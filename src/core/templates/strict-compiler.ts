// Handlebars' code generator with schnauzer's strict mode (settings.md section 9). Mirrors the
// strictness of the Rust handlebars registry that schnauzer builds, not handlebars.js' own.
import Handlebars from 'handlebars';

/** Name of the runtime check the generated code calls; registered by `render.ts`. */
export const STRICT_LOOKUP = '__brkt_strict_lookup';

/** Name of the escape of `{{value}}` the generated code calls: one per output format (formats.ts). */
export const ESCAPE = '__brkt_escape';

type Chunk = string | Chunk[];

interface CompilerInternals {
  replaceStack(callback: (current: Chunk) => Chunk[]): void;
  quotedString(text: string): string;
  pushSource(source: unknown): void;
  appendToBuffer(source: Chunk[]): unknown;
  popStack(): Chunk;
}

// Present at runtime (documented for custom compilers) but missing from the type declarations.
const JavaScriptCompiler = (Handlebars as unknown as { JavaScriptCompiler: new () => object }).JavaScriptCompiler;

/**
 * handlebars.js' `strict` option also throws when a helper argument crosses a missing object
 * (`{{default 110 settings.kubernetes.max-pods}}` without `kubernetes`), which schnauzer allows.
 * So templates compile without that option, and only the value of a plain `{{path}}` (or
 * `{{{path}}}`) is checked: intermediate steps are null-guarded as usual, the last one must exist.
 */
export class StrictCompiler extends JavaScriptCompiler {
  resolvePath(type: string, parts: string[], start: number, falsy: boolean, strict: boolean): void {
    const base = JavaScriptCompiler.prototype as unknown as {
      resolvePath(this: unknown, type: string, parts: string[], start: number, falsy: boolean, strict: boolean): void;
    };
    // `falsy` marks the name of a helper call: missing helpers are reported by helperMissing.
    if (!strict || falsy || start >= parts.length) {
      base.resolvePath.call(this, type, parts, start, falsy, strict);
      return;
    }
    const last = parts.length - 1;
    base.resolvePath.call(this, type, parts.slice(0, last), start, false, false);
    const self = this as unknown as CompilerInternals;
    const name = self.quotedString(parts[last]!);
    const shown = self.quotedString((type === 'data' ? '@' : '') + parts.join('.'));
    self.replaceStack(current => [', ', `helpers[${JSON.stringify(STRICT_LOOKUP)}](`, current, ', ', name, ', ', shown, ', {})']);
  }

  /**
   * `{{value}}` goes through the environment's own escape instead of handlebars' shared HTML
   * escape (`container.escapeExpression`, the same function for every environment). The `{}`
   * stands in for the helper options the wrapper writes to, as for the strict lookup.
   */
  appendEscaped(): void {
    const self = this as unknown as CompilerInternals;
    self.pushSource(self.appendToBuffer([`helpers[${JSON.stringify(ESCAPE)}](`, self.popStack(), ', {})']));
  }
}
(StrictCompiler.prototype as unknown as { compiler: unknown }).compiler = StrictCompiler;

/**
 * The check behind every plain `{{path}}`: the value must be present (own property). The last
 * argument stands in for helper options, which handlebars' helper wrapper writes to.
 */
export function strictLookup(parent: unknown, name: string, shown: string): unknown {
  if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, name)) {
    throw new Error(`Missing value for '${shown}' (strict mode)`);
  }
  return (parent as Record<string, unknown>)[name];
}
