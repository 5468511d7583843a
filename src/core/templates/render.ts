// Renders configuration templates the way schnauzer does (settings.md section 9): Handlebars with
// strict values, null-safe helper arguments, and v2 front matter. `{{value}}` is escaped for the
// output format of the template (formats.ts): HTML as upstream, or the syntax of a shipped
// configuration file.
import Handlebars, { type HelperDelegate, type HelperOptions } from 'handlebars';
import { parse as parseToml } from 'smol-toml';
import { BrktError, messageOf } from '../errors';
import { escapeFor, templateFormat, type OutputFormat } from './formats';
import { SCHNAUZER_HELPERS } from './helpers';
import { ESCAPE, StrictCompiler, STRICT_LOOKUP, strictLookup } from './strict-compiler';

/** The template text after its front matter, and the helpers it may call (undefined = all, v1). */
export interface ParsedTemplate {
  body: string;
  helpers?: string[];
}

const FRONT_MATTER_END = /^\+\+\+[ \t]*\r?$/m;

/**
 * Later ("v2") templates open with TOML declaring `[required-extensions]`, ending in a `+++`
 * line; only the helpers named there may be used. Templates without it are v1 (every helper).
 */
export function parseTemplate(text: string, name = 'template'): ParsedTemplate {
  const end = FRONT_MATTER_END.exec(text);
  if (!end) return { body: text };
  let front: Record<string, unknown>;
  try {
    front = parseToml(text.slice(0, end.index));
  } catch (error) {
    throw new BrktError('invalid-input', `Invalid front matter in template ${name}: ${firstLine(messageOf(error))}`);
  }
  const extensions = front['required-extensions'];
  if (extensions === undefined || typeof extensions !== 'object' || extensions === null || Array.isArray(extensions)) {
    throw new BrktError('invalid-input', `Invalid front matter in template ${name}: no [required-extensions] table`);
  }
  const helpers = new Set<string>();
  for (const [extension, requirement] of Object.entries(extensions)) {
    if (typeof requirement === 'string') continue;
    const listed = (requirement as { helpers?: unknown }).helpers;
    if (listed === undefined) continue;
    if (!Array.isArray(listed) || !listed.every(item => typeof item === 'string')) {
      throw new BrktError('invalid-input', `Invalid front matter in template ${name}: helpers of ${extension} must be a list of names`);
    }
    for (const helper of listed) helpers.add(helper);
  }
  const rest = text.slice(end.index + end[0].length);
  return { body: rest.startsWith('\n') ? rest.slice(1) : rest, helpers: [...helpers].sort() };
}

const firstLine = (text: string) => text.split('\n')[0]!.trim();

/** `each`/`with` over a missing value: the `{{else}}` block if there is one, else an error. */
function strictBlock(name: 'each' | 'with', builtin: HelperDelegate): HelperDelegate {
  return function (this: unknown, ...args: unknown[]) {
    const options = args.at(-1) as HelperOptions;
    const value = args.length > 1 ? args[0] : undefined;
    if (value === undefined || value === null) {
      if (options.inverse === (Handlebars.VM as unknown as { noop: unknown }).noop) throw new Error(`'${name}' over a missing value, with no {{else}} block (strict mode)`);
      return options.inverse(this);
    }
    return (builtin as (...params: unknown[]) => unknown).apply(this, args);
  };
}

type Environment = ReturnType<typeof Handlebars.create>;
const environments = new Map<string, Environment>();

/** One Handlebars environment per output format and set of allowed helpers (v1 templates get every helper). */
function environmentFor(helpers: string[] | undefined, format: OutputFormat): Environment {
  const key = `${format}:${helpers ? helpers.join(',') : '*'}`;
  let env = environments.get(key);
  if (env) return env;
  env = Handlebars.create();
  (env as unknown as { JavaScriptCompiler: unknown }).JavaScriptCompiler = StrictCompiler;
  env.registerHelper(STRICT_LOOKUP, strictLookup as HelperDelegate);
  env.registerHelper(ESCAPE, escapeFor(format) as HelperDelegate);
  env.registerHelper('each', strictBlock('each', env.helpers.each!));
  env.registerHelper('with', strictBlock('with', env.helpers.with!));
  // Rust's handlebars has no `log` or `lookup` that reaches outside the data; keep the JS ones
  // out so a template cannot behave differently here than upstream.
  env.unregisterHelper('log');
  for (const [name, helper] of Object.entries(SCHNAUZER_HELPERS)) {
    if (!helpers || helpers.includes(name)) env.registerHelper(name, helper);
  }
  environments.set(key, env);
  return env;
}

const compiled = new Map<string, (data: unknown) => string>();

/**
 * Renders `text` against `data` (the model: settings, services, configuration-files, os).
 * `{{value}}` is escaped for `format`, by default the format of the shipped template `name`
 * names (a template-path such as `/usr/share/templates/updog-toml`), else HTML.
 * Any failure (syntax, missing value, helper error, a value the format cannot hold) is one
 * `invalid-input` error naming `name`.
 */
export function renderTemplate(text: string, data: unknown, name = 'template', format: OutputFormat = templateFormat(name)): string {
  try {
    const cacheKey = `${format}\u0000${text}`;
    let template = compiled.get(cacheKey);
    if (!template) {
      const parsed = parseTemplate(text, name);
      const env = environmentFor(parsed.helpers, format);
      template = env.compile(parsed.body, { strict: false, noEscape: false, knownHelpersOnly: false });
      compiled.set(cacheKey, template);
    }
    return template(data);
  } catch (error) {
    if (error instanceof BrktError) throw error;
    throw new BrktError('invalid-input', `Failed to render template ${name}: ${firstLine(messageOf(error))}`, { cause: error });
  }
}
