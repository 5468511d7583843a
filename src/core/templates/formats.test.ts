import { describe, expect, test } from 'bun:test';
import Handlebars from 'handlebars';
import { readChrony, readEnv, readToml, readYaml } from '../../../test/helpers/config-formats';
import { HOSTILE_PIECES, hostileStrings } from '../../../test/helpers/hostile';
import { chronyWord, envQuotedContent, escapeFor, quotedStringContent, templateFormat } from './formats';
import { renderTemplate } from './render';

const values = [...hostileStrings(13, 2000), ...HOSTILE_PIECES].filter(value => !value.includes('\u0000'));

describe('quotedStringContent', () => {
  test('every generated value round-trips through TOML, YAML and JSON', () => {
    for (const value of [...values, 'a\u0000b']) {
      const quoted = `"${quotedStringContent(value)}"`;
      expect({ value, toml: (readToml(`v = ${quoted}\n`) as { v: string }).v }).toEqual({ value, toml: value });
      expect({ value, yaml: (readYaml(`v: ${quoted}\n`) as { v: string }).v }).toEqual({ value, yaml: value });
      expect({ value, json: JSON.parse(quoted) }).toEqual({ value, json: value });
    }
  });
  test('the escapes are the short ones where there is one', () =>
    expect(quotedStringContent('a"b\\c\nd\te\u001bf\u007fg\u2028')).toBe('a\\"b\\\\c\\nd\\te\\u001bf\\u007fg\\u2028'));
  test('a lone surrogate has no form in TOML or YAML', () => {
    expect(() => quotedStringContent('a\ud800')).toThrow('lone surrogate');
    expect(() => quotedStringContent('\udc00b')).toThrow('lone surrogate');
  });
  test('a surrogate pair and the text of an escape are fine', () => {
    expect(quotedStringContent('😀')).toBe('😀');
    expect(quotedStringContent('\\ud800')).toBe('\\\\ud800');
  });
});

describe('envQuotedContent', () => {
  test('every generated value round-trips through a systemd environment file', () => {
    for (const value of values) {
      const file = `X="${envQuotedContent(value)}"\n`;
      expect({ value, read: readEnv(file).X }).toEqual({ value, read: value });
    }
  });
  test('quote, backslash, backtick and dollar take a backslash', () => expect(envQuotedContent('a"b\\c`d$e')).toBe('a\\"b\\\\c\\`d\\$e'));
  test('NUL cannot be written', () => expect(() => envQuotedContent('a\u0000')).toThrow('NUL'));
});

describe('chronyWord', () => {
  test.each(['169.254.169.123', '2.amazon.pool.ntp.org', 'ntp://127.0.0.1/path', 'a"b', 'x#y'])('%s is one word', value => {
    expect(chronyWord(value)).toBe(value);
    expect(readChrony(`pool ${chronyWord(value)} iburst\n`)).toEqual([['pool', value, 'iburst']]);
  });
  test.each(['', 'a b', 'a\nserver evil', 'a\tb', 'a\rb', 'a\u000bb', 'a\u00a0b', 'a\u2028b', 'a\u202eb', 'a\u001b', '#x', '!x', ';x', '%x'])('%j cannot be written', value =>
    expect(() => chronyWord(value)).toThrow('into chrony.conf'));
});

describe('templateFormat and escapeFor', () => {
  test.each([
    ['/usr/share/templates/updog-toml', 'toml'],
    ['containerd-config-toml_aws-k8s', 'toml'],
    ['/usr/share/templates/kubelet-config', 'yaml'],
    ['/usr/share/templates/kubelet-env', 'env'],
    ['/usr/share/templates/chrony-conf', 'chrony'],
    ['/usr/share/templates/motd', 'html'],
    ['the template of settings.updates.metadata-base-url', 'html'],
    ['/etc/elsewhere/updog-toml', 'html'],
    ['of settings.kubernetes.node-labels."x/updog-toml"', 'html'],
  ])('%s is %s', (name, format) => expect(templateFormat(name)).toBe(format as never));

  test('helper output, null, numbers and booleans as Handlebars prints them', () => {
    const escape = escapeFor('toml');
    expect(escape(new Handlebars.SafeString('a"b'))).toBe('a"b');
    expect(escape(null)).toBe('');
    expect(escape(undefined)).toBe('');
    expect(escape(0)).toBe('0');
    expect(escape(false)).toBe('false');
    expect(escape('a"b')).toBe('a\\"b');
    expect(escapeFor('html')('a"b&')).toBe('a&quot;b&amp;');
  });

  test('the renderer escapes {{value}} for the named template, and leaves {{{value}}} raw', () => {
    const data = { v: 'x"\\\ny' };
    expect(renderTemplate('a = "{{v}}"', data, '/usr/share/templates/updog-toml')).toBe('a = "x\\"\\\\\\ny"');
    expect(renderTemplate('{{{v}}}', data, '/usr/share/templates/updog-toml')).toBe('x"\\\ny');
    expect(renderTemplate('{{v}}', data, '/usr/share/templates/motd')).toBe('x&quot;\\\ny');
    // The same text under two names is compiled once per format.
    expect(renderTemplate('{{v}}', { v: '&' }, 'updog-toml')).toBe('&');
    expect(renderTemplate('{{v}}', { v: '&' }, 'motd')).toBe('&amp;');
    expect(() => renderTemplate('pool {{v}} iburst', { v: 'a\nserver evil' }, '/usr/share/templates/chrony-conf')).toThrow(
      'Failed to render template /usr/share/templates/chrony-conf: Cannot write');
  });
});
