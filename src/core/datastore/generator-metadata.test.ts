// Generator declarations (settings-now.md 1.5, 1.6): the string and table forms, storewolf's TOML
// table, and depth expansion with the controller test cases upstream quotes.
import { describe, expect, test } from 'bun:test';
import { expandGenerators, parseGenerator } from './generator-metadata';
import { parseKey } from './key';
import type { MetadataMap } from './store';
import { parseDefaults, variantDefaults } from '../model/defaults';

const declared = (entries: Record<string, unknown>): MetadataMap =>
  new Map(Object.entries(entries).map(([name, value]) => [name, new Map([['setting-generator', JSON.stringify(value)]])]));

function expand(entries: Record<string, unknown>, live: string[]) {
  const keys = live.map(name => parseKey(name));
  const out = expandGenerators(declared(entries), prefix => keys.filter(key => key.name.startsWith(`${prefix.name}.`)), name => parseKey(name));
  return Object.fromEntries([...out].map(([key, g]) => [key, g.command]));
}

describe('parseGenerator', () => {
  test('a string is a strong generator of depth 0; a table fills its defaults', () => {
    expect(parseGenerator('bork seed')).toEqual({ command: 'bork seed', strength: 'strong', depth: 0 });
    expect(parseGenerator({ command: 'c' })).toEqual({ command: 'c', strength: 'strong', depth: 0 });
    expect(parseGenerator({ command: 'my test command', strength: 'weak', depth: 0 })).toEqual({ command: 'my test command', strength: 'weak', depth: 0 });
  });

  test.each([
    [{ command: 'c', skip: true }, 'unknown field `skip`'],
    [{ command: 'c', 'skip-if-populated': true }, 'unknown field `skip-if-populated`'],
    [{ strength: 'weak' }, 'missing field `command`'],
    [{ command: 'c', strength: 'medium' }, 'unknown variant `medium`'],
    [{ command: 'c', depth: -1 }, 'expected u32'],
    [{ command: 'c', depth: 1.5 }, 'expected u32'],
    [{ command: 1 }, 'expected a string'],
    [['c'], 'untagged enum'],
  ])('%j is refused (%s)', (value, message) => {
    expect(() => parseGenerator(value)).toThrow(message);
  });
});

describe('expansion (controller tests)', () => {
  test('depth 1 with live settings.abc.xyz.mode -> settings.abc.xyz.def', () => {
    expect(expand({ 'settings.abc.def': { command: 'c', depth: 1 } }, ['settings.abc.xyz.mode'])).toEqual({ 'settings.abc.xyz.def': 'c' });
  });

  test('keys too short are ignored: only settings.abc.some-map.def', () => {
    expect(expand({ 'settings.abc.def': { command: 'c', depth: 1 } }, ['settings.abc.some-value', 'settings.abc.some-map.xyz'])).toEqual({ 'settings.abc.some-map.def': 'c' });
  });

  test('depth 0 names the key itself, populated or not', () => {
    expect(expand({ 'settings.abc.def': { command: 'c', depth: 0 } }, [])).toEqual({ 'settings.abc.def': 'c' });
  });

  test('depth 2 takes distinct two-segment paths; a deeper declaration overwrites the same key', () => {
    const live = ['settings.p.a.x.k', 'settings.p.a.x.l', 'settings.p.a.y.k.deep', 'settings.p.b.k', 'settings.pq.a.x.k'];
    expect(expand({ 'settings.p.gen': { command: 'parent', depth: 2 }, 'settings.p.a.x.gen': 'own' }, live)).toEqual({ 'settings.p.a.x.gen': 'own', 'settings.p.a.y.gen': 'parent' });
  });

  test('a quoted segment stays quoted in the expanded name', () => {
    expect(expand({ 'settings.p.gen': { command: 'c', depth: 1 } }, ['settings.p."a.b".k'])).toEqual({ 'settings.p."a.b".gen': 'c' });
  });
});

describe('storewolf: table form in defaults TOML', () => {
  test('accepted under setting-generator and stored as JSON text with every field', () => {
    const defaults = parseDefaults(['[metadata.settings.x.source.setting-generator]\ncommand = "my test command"\nstrength = "weak"\n']);
    expect(defaults.metadata.map(m => [m.key.name, m.name, m.text])).toEqual([['settings.x.source', 'setting-generator', '{"command":"my test command","strength":"weak","depth":0}']]);
  });

  test('any other field is an error naming the declaration', () => {
    expect(() => parseDefaults(['[metadata.settings.x.source.setting-generator]\ncommand = "c"\nskip-if-populated = true\n'])).toThrow('Metadata settings.x.source.setting-generator: unknown field `skip-if-populated`');
  });

  test('the shipped host-container sources are weak, the seed stays a strong string', () => {
    const metadata = variantDefaults('aws-dev').metadata.filter(m => m.name === 'setting-generator');
    const text = (name: string) => metadata.find(m => m.key.name === name)?.text;
    expect(JSON.parse(text('settings.host-containers.admin.source')!)).toEqual({ command: 'schnauzer settings.host-containers.admin.source', strength: 'weak', depth: 0 });
    expect(JSON.parse(text('settings.host-containers.control.source')!)).toMatchObject({ strength: 'weak' });
    expect(text('settings.updates.seed')).toBe('"bork seed"');
  });
});
