import { expect, test } from 'bun:test';
import { templateReads, templateSettingsReads } from './reads';

const names = (text: string) => templateReads(text).map(path => path.join('.'));

test.each([
  ['{{settings.motd}}', ['settings.motd']],
  ['{{{settings.a}}} {{default 1 settings.b}} {{join_map "=" "," "x" settings.c}}', ['settings.a', 'settings.b', 'settings.c']],
  ['{{#if settings.a}}{{settings.b}}{{else}}{{settings.c}}{{/if}}', ['settings.a', 'settings.b', 'settings.c']],
  ['{{#each settings.m}}{{@key}} {{this}} {{this.x}} {{../settings.top}}{{/each}}', ['settings.m', 'settings.m.*', 'settings.m.*.x', 'settings.top']],
  ['{{#with settings.k}}{{a}}{{/with}}', ['settings.k', 'settings.k.a']],
  ['{{host (default "x" settings.u)}}', ['settings.u']],
  ['{{helper key=settings.h}} {{os.arch}}', ['os.arch', 'settings.h']],
  ['[required-extensions]\nstd = { version = "v1", helpers = ["default"] }\n+++\n{{default 1 settings.v}}', ['settings.v']],
])('%s', (text, expected) => expect(names(text)).toEqual(expected));

test('settings reads leave out the rest of the model', () =>
  expect(templateSettingsReads('{{os.arch}} {{settings.a}}')).toEqual([['settings', 'a']]));
