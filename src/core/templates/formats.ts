// How `{{value}}` is escaped, per output format of the file a template renders. Upstream
// escapes every template for HTML, which keeps `"` out of a quoted value but lets a backslash or
// a newline through and corrupts `&` and `=`; brkt escapes shipped configuration formats for
// their own syntax, so a value never changes the structure of the file it is rendered into.
import Handlebars from 'handlebars';
import { TEMPLATE_DIR } from '../../templates';

export type OutputFormat = 'html' | 'toml' | 'yaml' | 'json' | 'env' | 'chrony';

/**
 * The format of each shipped template, by template name (the last part of its template-path).
 * In TOML, YAML and JSON templates a `{{value}}` that can hold arbitrary text stands inside
 * double quotes; in env files (systemd `EnvironmentFile=`) too. Any other template (motd, an
 * operator's own, a setting generator's) keeps upstream's HTML escaping.
 */
const TEMPLATE_FORMATS: ReadonlyMap<string, OutputFormat> = new Map([
  ['updog-toml', 'toml'],
  ['containerd-config-toml_aws-k8s', 'toml'],
  ['containerd-config-toml_aws-ecs-1', 'toml'],
  ['containerd-config-toml_aws-dev', 'toml'],
  ['host-containers-toml', 'toml'],
  ['bootstrap-commands-toml', 'toml'],
  ['kubelet-config', 'yaml'],
  ['kubelet-kubeconfig', 'yaml'],
  ['kubelet-env', 'env'],
  ['ecs.config', 'env'],
  ['chrony-conf', 'chrony'],
]);

/** The format of the template named by its template-path (`/usr/share/templates/updog-toml`) or its bare name. */
export function templateFormat(nameOrPath: string): OutputFormat {
  const name = nameOrPath.startsWith(TEMPLATE_DIR) ? nameOrPath.slice(TEMPLATE_DIR.length) : nameOrPath;
  return TEMPLATE_FORMATS.get(name) ?? 'html';
}

// Beyond what JSON.stringify escapes (", \, C0): DEL, C1 controls, line and paragraph separators,
// the BOM and the two noncharacters, which YAML does not allow raw and TOML does not allow DEL.
const EXTRA_ESCAPES = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;
// With the u flag a surrogate pair is one code point: only a lone surrogate is of category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The text between the double quotes of a string with this value, valid alike in a TOML basic
 * string, a YAML double-quoted scalar and a JSON string: `"`, `\` and every control character
 * escaped (`\n`, `\"`, `\u001b`, ...). A lone surrogate has no form in TOML or YAML: an error.
 */
export function quotedStringContent(value: string): string {
  const json = JSON.stringify(value);
  if (LONE_SURROGATE.test(value)) throw new Error(`Cannot write ${json} into a quoted string: it holds a lone surrogate`);
  return json.slice(1, -1).replace(EXTRA_ESCAPES, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Inside the double quotes of a systemd `EnvironmentFile=` value, `"`, `\`, `` ` `` and `$` take a
 * backslash and every other character stands for itself; NUL cannot be written at all.
 */
export function envQuotedContent(value: string): string {
  if (value.includes('\u0000')) throw new Error(`Cannot write ${JSON.stringify(value)} into an environment file: it holds a NUL character`);
  return value.replace(/["\\`$]/g, '\\$&');
}

// chrony.conf has no quoting: a value is one word, without whitespace or controls, and must not
// start a comment (`!`, `;`, `#`, `%` at the start of a line).
const CHRONY_WORD = /^(?![!;#%])[^\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

/** A value as one word of chrony.conf; anything else is an error, since chrony cannot quote it. */
export function chronyWord(value: string): string {
  if (!CHRONY_WORD.test(value)) throw new Error(`Cannot write ${JSON.stringify(value)} into chrony.conf: a value there must be one word without whitespace or control characters`);
  return value;
}

const STRING_ESCAPES: Record<OutputFormat, (value: string) => string> = {
  html: value => Handlebars.Utils.escapeExpression(value),
  toml: quotedStringContent,
  yaml: quotedStringContent,
  json: quotedStringContent,
  env: envQuotedContent,
  chrony: chronyWord,
};

/**
 * The escape of `{{value}}` for `format`, with Handlebars' handling of other values: helper
 * output (a SafeString) as it is, null and undefined as nothing, numbers and booleans as text.
 */
export function escapeFor(format: OutputFormat): (value: unknown) => string {
  const escape = STRING_ESCAPES[format];
  return value => {
    if (value instanceof Handlebars.SafeString) return value.toHTML();
    if (value === null || value === undefined) return '';
    return escape(typeof value === 'string' ? value : String(value));
  };
}
