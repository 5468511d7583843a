// Strict readers of the configuration formats brkt renders, for tests that must know a value did
// not change a file's structure: real parsers for TOML and YAML, and small strict readers for the
// formats without a library (systemd environment files, chrony.conf, motd's HTML-escaped text).
import { parse as parseToml } from 'smol-toml';
import { parseDocument } from 'yaml';

export type FileFormat = 'toml' | 'yaml' | 'env' | 'chrony' | 'html-text' | 'raw' | 'sysctl' | 'words' | 'json' | 'bootconfig' | 'pem';

export function readToml(text: string): unknown {
  return parseToml(text);
}

/** YAML with duplicate keys, errors and warnings all refused. */
export function readYaml(text: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true, strict: true });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length) throw new Error(`YAML: ${problems[0]!.message}`);
  return document.toJS();
}

/**
 * A systemd `EnvironmentFile=` as systemd reads it (env-file.c), refusing whatever systemd would
 * read in a way a plain reading of the line would not: line continuations, text after a closing
 * quote, unescaped whitespace or quotes in unquoted values, unknown escapes, duplicate names.
 */
export function readEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`env: ${why} at offset ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
  };
  while (i < text.length) {
    if (text[i] === '#' || text[i] === ';') {
      const end = text.indexOf('\n', i);
      if (end < 0) fail('no newline at the end');
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*=/.exec(text.slice(i))?.[0].slice(0, -1) ?? fail('expected NAME=');
    if (Object.hasOwn(out, name)) fail(`duplicate ${name}`);
    i += name.length + 1;
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const c = text[i] ?? fail('unterminated double quote');
        if (c === '"') break;
        if (c === '\\') {
          const next = text[i + 1] ?? fail('backslash at the end');
          if (!'"\\`$'.includes(next)) fail(`escape \\${next} inside double quotes`);
          value += next;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
    } else if (text[i] === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) fail('unterminated single quote');
      value = text.slice(i + 1, end);
      i = end + 1;
    } else {
      while (text[i] !== '\n') {
        const c = text[i] ?? fail('no newline at the end');
        if (c === '\\') {
          const next = text[i + 1] ?? fail('backslash at the end');
          if (next === '\n' || next === '\r') fail('line continuation');
          value += next;
          i += 2;
          continue;
        }
        if (/[\s"']/.test(c)) fail(`unescaped ${JSON.stringify(c)} in an unquoted value`);
        value += c;
        i++;
      }
    }
    if (text[i] !== '\n') fail('text after the value');
    i++;
    out[name] = value;
  }
  return out;
}

const CHRONY_DIRECTIVES = new Set(['pool', 'server', 'peer', 'driftfile', 'makestep', 'dumponexit', 'dumpdir', 'user', 'rtcsync', 'logdir']);

/**
 * chrony.conf lines as chrony splits them into words. Strict: every line ends in a newline, is a
 * known directive, and holds no whitespace but single spaces between words and no control
 * character, so the words are exactly what a reader of the file sees.
 */
export function readChrony(text: string): string[][] {
  if (text !== '' && !text.endsWith('\n')) throw new Error('chrony: no newline at the end');
  return text.split('\n').slice(0, -1).map((line, index) => {
    if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(line)) throw new Error(`chrony: control or format character on line ${index + 1}`);
    const words = line.split(' ');
    if (words.some(word => word === '' || /\s/.test(word))) throw new Error(`chrony: stray whitespace on line ${index + 1}: ${JSON.stringify(line)}`);
    if (/^[!;#%]/.test(line)) throw new Error(`chrony: comment on line ${index + 1}`);
    if (!CHRONY_DIRECTIVES.has(words[0]!)) throw new Error(`chrony: unknown directive ${JSON.stringify(words[0])} on line ${index + 1}`);
    return words;
  });
}

const HTML_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x60;': '`', '&#x3D;': '=' };

/** Text HTML-escaped the way upstream's templates escape it (motd), read back. */
export function readHtmlText(text: string): string {
  if (/[<>"'`=]|&(?!amp;|lt;|gt;|quot;|#x27;|#x60;|#x3D;)/.test(text)) throw new Error('html-text: a character that should have been escaped');
  return text.replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, entity => HTML_ENTITIES[entity]!);
}

const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The lines of a line-based file: every line ends in a newline and holds no control character. */
function strictLines(what: string, text: string): string[] {
  if (text !== '' && !text.endsWith('\n')) throw new Error(`${what}: no newline at the end`);
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, index) => {
    if (CONTROL.test(line)) throw new Error(`${what}: control or format character on line ${index + 1}`);
  });
  return lines;
}

/** sysctl.d lines as systemd-sysctl reads them: `-key = value`, key and value trimmed. */
export function readSysctl(text: string): Array<[string, string]> {
  return strictLines('sysctl', text).map((line, index) => {
    const match = /^-([^\s=]+) = (\S(?:.*\S)?)?$/.exec(line);
    if (!match) throw new Error(`sysctl: line ${index + 1} is not '-key = value': ${JSON.stringify(line)}`);
    return [match[1]!, match[2] ?? ''];
  });
}

/** Lines of words separated by single spaces (modprobe.d, modules-load.d, resolv.conf). */
export function readWords(text: string): string[][] {
  return strictLines('words', text).map((line, index) => {
    const words = line.split(' ');
    if (words.some(word => word === '' || /\s/.test(word))) throw new Error(`words: stray whitespace on line ${index + 1}: ${JSON.stringify(line)}`);
    if (/^[#;]/.test(line)) throw new Error(`words: comment on line ${index + 1}`);
    return words;
  });
}

/** bootconfig text: `section.key = "v", 'v'` or a bare `section.key`. */
export function readBootconfig(text: string): Array<[string, string[]]> {
  return strictLines('bootconfig', text).map((line, index) => {
    const match = /^([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)(?: = (.*))?$/.exec(line);
    if (!match) throw new Error(`bootconfig: line ${index + 1}: ${JSON.stringify(line)}`);
    const values: string[] = [];
    let rest = match[2];
    while (rest !== undefined) {
      const value = /^("[^"]*"|'[^']*')(, (.*))?$/.exec(rest);
      if (!value) throw new Error(`bootconfig: bad value on line ${index + 1}: ${JSON.stringify(rest)}`);
      values.push(value[1]!.slice(1, -1));
      rest = value[3];
    }
    return [match[1]!, values];
  });
}

/** A PEM bundle: comment lines and certificate blocks only; each block's base64 body. */
export function readPem(text: string): string[] {
  const out: string[] = [];
  let block: string[] | undefined;
  for (const line of strictLines('pem', text)) {
    if (block) {
      if (line === '-----END CERTIFICATE-----') {
        out.push(block.join(''));
        block = undefined;
      } else if (/^[A-Za-z0-9+/=]{1,64}$/.test(line)) block.push(line);
      else throw new Error(`pem: bad line in a certificate: ${JSON.stringify(line)}`);
    } else if (line === '-----BEGIN CERTIFICATE-----') block = [];
    else if (!line.startsWith('#')) throw new Error(`pem: text outside a certificate: ${JSON.stringify(line)}`);
  }
  if (block) throw new Error('pem: unterminated certificate');
  return out;
}

export function readFormat(format: FileFormat, text: string): unknown {
  switch (format) {
    case 'toml':
      return readToml(text);
    case 'yaml':
      return readYaml(text);
    case 'env':
      return readEnv(text);
    case 'chrony':
      return readChrony(text);
    case 'html-text':
      return readHtmlText(text);
    case 'raw':
      return text;
    case 'sysctl':
      return readSysctl(text);
    case 'words':
      return readWords(text);
    case 'json':
      return JSON.parse(text);
    case 'bootconfig':
      return readBootconfig(text);
    case 'pem':
      return readPem(text);
  }
}
