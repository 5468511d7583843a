import { describe, expect, test } from 'bun:test';
import { parse as parseToml } from 'smol-toml';
import { BrktError } from '../errors';
import { parseTemplate, renderTemplate } from './render';

const render = (text: string, data: unknown) => renderTemplate(text, data, 'test');
const fails = (text: string, data: unknown) => expect(() => render(text, data)).toThrow(BrktError);

describe('settings.md 12.11 base64_decode', () => {
  test('decodes valid base64 to text', () => expect(render('{{base64_decode var}}', { var: 'SGk=' })).toBe('Hi'));
  test('"hi" is not valid base64 text', () => fails('{{base64_decode var}}', { var: 'hi' }));
  test('bytes that are not UTF-8 fail', () => fails('{{base64_decode var}}', { var: 'wygK' }));
  test('no parameter fails', () => fails('{{base64_decode}}', {}));
  test('a non-string fails', () => fails('{{base64_decode var}}', { var: 42 }));
  test('unpadded input is accepted as the 2020 decoder did', () => expect(render('{{base64_decode var}}', { var: 'SGk' })).toBe('Hi'));
  test('whitespace is invalid', () => fails('{{base64_decode var}}', { var: 'SG k=' }));
});

describe('settings.md 12.12 join_map', () => {
  const tpl = '{{join_map "=" "," "fail-if-missing" map}}';
  test('sorted pairs', () => expect(render(tpl, { map: { whats: 'up', hi: 'there' } })).toBe('hi=there,whats=up'));
  test('numbers print plainly', () => expect(render(tpl, { map: { hi: 42 } })).toBe('hi=42'));
  test('booleans print plainly', () => expect(render(tpl, { map: { hi: true } })).toBe('hi=true'));
  test('a nested object fails', () => fails(tpl, { map: { hi: { too: 'deep' } } }));
  test('a null value fails', () => fails(tpl, { map: { hi: null } }));
  test('a missing map fails with fail-if-missing', () => fails(tpl, {}));
  test('a missing map is empty with no-fail-if-missing', () =>
    expect(render('{{join_map "=" "," "no-fail-if-missing" map}}', {})).toBe(''));
  test('a missing parent is still a missing map', () =>
    expect(render('[{{join_map "=" "," "no-fail-if-missing" settings.kubernetes.node-labels}}]', { settings: {} })).toBe('[]'));
  test('another third parameter fails', () => fails('{{join_map "=" "," "sup" map}}', { map: {} }));
  test('the wrong parameter count fails', () => fails('{{join_map "=" "," map}}', { map: {} }));
  test('separators are not HTML-escaped (helper output is raw)', () =>
    expect(render(tpl, { map: { 'example.com/role': 'a&b' } })).toBe('example.com/role=a&b'));
});

describe('settings.md 12.13 default', () => {
  test.each([
    ['{{default "42" setting}}', { setting: 'hi' }, 'hi'],
    ['{{default "42" setting}}', { setting: true }, 'true'],
    ['{{default "42" setting}}', { setting: 42.42 }, '42.42'],
    ['{{default "42" setting}}', {}, '42'],
    ['{{default 42 setting}}', {}, '42'],
    ['{{default true setting}}', {}, 'true'],
    ['{{default 110 settings.kubernetes.max-pods}}', { settings: {} }, '110'],
    ['{{default 110 settings.kubernetes.max-pods}}', { settings: { kubernetes: { 'max-pods': 29 } } }, '29'],
  ])('%p with %j is %p', (tpl, data, expected) => expect(render(tpl, data)).toBe(expected));
  test('an object value fails', () => fails('{{default "42" setting}}', { setting: { a: 1 } }));
  test('an array value fails', () => fails('{{default "42" setting}}', { setting: [1] }));
  test('one parameter fails', () => fails('{{default "42"}}', {}));
});

describe('settings.md 12.14 ecr-prefix', () => {
  const tpl = '{{ ecr-prefix settings.aws.region }}/bottlerocket-admin:v0.5.1';
  test.each([
    ['eu-central-1', '328549459982.dkr.ecr.eu-central-1.amazonaws.com/bottlerocket-admin:v0.5.1'],
    ['af-south-1', '917644944286.dkr.ecr.af-south-1.amazonaws.com/bottlerocket-admin:v0.5.1'],
    ['xy-ztown-1', '328549459982.dkr.ecr.us-east-1.amazonaws.com/bottlerocket-admin:v0.5.1'],
    ['me-south-1', '509306038620.dkr.ecr.me-south-1.amazonaws.com/bottlerocket-admin:v0.5.1'],
  ])('%s', (region, expected) => expect(render(tpl, { settings: { aws: { region } } })).toBe(expected));
  test('a missing region fails', () => fails(tpl, { settings: {} }));
});

describe('settings.md 12.15 escaping and strict mode', () => {
  const data = { settings: { motd: 'a & <b>' } };
  test('{{value}} is HTML-escaped', () => expect(render('{{settings.motd}}', data)).toBe('a &amp; &lt;b&gt;'));
  test('{{{value}}} is raw', () => expect(render('{{{settings.motd}}}', data)).toBe('a & <b>'));
  test('a missing value is an error', () => fails('{{settings.nope}}', data));
  test('a missing intermediate is an error, not a crash', () => {
    expect(() => render('{{settings.kubernetes.cluster-name}}', data)).toThrow("Failed to render template test: Missing value for 'settings.kubernetes.cluster-name' (strict mode)");
  });
  test('a missing value in triple braces is an error', () => fails('{{{settings.nope}}}', data));
  test('every escaped character', () =>
    expect(render('{{v}}', { v: `&<>"'\`=` })).toBe('&amp;&lt;&gt;&quot;&#x27;&#x60;&#x3D;'));
  test('numbers and booleans print in JSON form', () =>
    expect(render('{{a}} {{b}} {{c}} {{d}}', { a: 110, b: 4.2, c: true, d: false })).toBe('110 4.2 true false'));
  test('#if treats a missing value (at any depth) as false', () =>
    expect(render('{{#if settings.network.https-proxy}}yes{{else}}no{{/if}}', { settings: {} })).toBe('no'));
  test('#each over a missing value renders {{else}}', () =>
    expect(render('{{#each settings.x}}a{{else}}none{{/each}}', { settings: {} })).toBe('none'));
  test('#each over a missing value without {{else}} fails', () => fails('{{#each settings.x}}a{{/each}}', { settings: {} }));
  test('#with over a missing value without {{else}} fails', () => fails('{{#with settings.x}}a{{/with}}', { settings: {} }));
  test('@key and this inside #each', () =>
    expect(render('{{#each m}}{{@key}}={{this}};{{/each}}', { m: { a: 1, b: 'x' } })).toBe('a=1;b=x;'));
  test('an unknown helper fails', () => fails('{{nope settings.motd}}', data));
  test('a syntax error fails with the template name', () =>
    expect(() => render('{{#if}', data)).toThrow(/^Failed to render template test: /));
  test('standalone block lines are removed (handlebars.js whitespace rules)', () =>
    expect(render('{{#each l}}\npool {{this}} iburst\n{{/each}}\nend\n', { l: ['a', 'b'] })).toBe('pool a iburst\npool b iburst\nend\n'));
});

describe('template injection: setting values are data, never template code', () => {
  const values = [
    '{{settings.updates.seed}}',
    '{{{settings.motd}}}',
    '{{#each settings}}{{@key}}{{/each}}',
    '{{> partial}}',
    '{{constructor.constructor "return process"}}',
    '<script>alert("x")</script>',
  ];
  test.each(values)('motd %p renders literally (escaped)', value => {
    const out = render('{{settings.motd}}', { settings: { motd: value, updates: { seed: 7 } } });
    const escaped = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;');
    expect(out).toBe(escaped);
    expect(out).not.toContain('7');
  });
  test.each(values)('motd %p in triple braces is copied byte for byte', value => {
    expect(render('{{{settings.motd}}}', { settings: { motd: value, updates: { seed: 7 } } })).toBe(value);
  });
  test('helper output with template syntax is not evaluated again', () => {
    const map = { '{{settings.secret}}': '{{settings.secret}}' };
    expect(render('{{join_map "=" "," "fail-if-missing" m}}', { m: map, settings: { secret: 'leak' } })).toBe('{{settings.secret}}={{settings.secret}}');
  });
  test('prototype properties are not reachable', () => {
    fails('{{settings.constructor}}', { settings: {} });
    fails('{{settings.__proto__}}', { settings: {} });
  });
});

describe('v2 front matter', () => {
  const v2 = '[required-extensions]\nstd = { version = "v1", helpers = ["default"] }\nmotd = "v1"\n+++\n{{default "x" settings.motd}}\n';
  test('is removed, and declared helpers work', () => expect(render(v2, { settings: {} })).toBe('x\n'));
  test('lists the declared helpers', () => expect(parseTemplate(v2).helpers).toEqual(['default']));
  test('undeclared helpers are not available', () =>
    fails('[required-extensions]\nmotd = "v1"\n+++\n{{default "x" settings.motd}}\n', { settings: {} }));
  test('broken front matter fails naming the template', () =>
    expect(() => render('[required-extensions\n+++\nx', {})).toThrow(/^Invalid front matter in template test/));
  test('a template without front matter is v1', () => expect(parseTemplate('a\n').helpers).toBeUndefined());
});

describe('join_array', () => {
  test('each string in double quotes, joined', () => expect(render('[{{join_array ", " list}}]', { list: ['a', 'b'] })).toBe('["a", "b"]'));
  test('quotes, backslashes and newlines are escaped, so the list stays one TOML array', () => {
    const list = ['a"b', 'c\\', 'd\ne', '"]\nevil = true\n#'];
    const out = render('no_proxy = [{{join_array ", " list}}]\n', { list });
    expect(parseToml(out)).toEqual({ no_proxy: list });
  });
  test('a non-string item fails', () => fails('{{join_array ", " list}}', { list: [1] }));
});
