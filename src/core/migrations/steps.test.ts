import { describe, expect, test } from 'bun:test';
import { applyDocument, applyStep, type MigrationState } from './steps';
import { parseMigrationDocument, type MigrationStepDoc } from './document';
import type { Direction } from './select';

/** A state from plain JSON values, as the helper tests write them. */
function state(data: Record<string, unknown>, metadata: Record<string, Record<string, unknown>> = {}): MigrationState {
  return {
    data: new Map(Object.entries(data).map(([k, v]) => [k, JSON.stringify(v)])),
    metadata: new Map(Object.entries(metadata).map(([k, metas]) => [k, new Map(Object.entries(metas).map(([m, v]) => [m, JSON.stringify(v)]))])),
  };
}
const dataOf = (s: MigrationState) => Object.fromEntries([...s.data].map(([k, v]) => [k, JSON.parse(v)]));
const metadataOf = (s: MigrationState) => Object.fromEntries([...s.metadata].map(([k, metas]) => [k, Object.fromEntries([...metas].map(([m, v]) => [m, JSON.parse(v)]))]));

function run(step: MigrationStepDoc, direction: Direction, input: MigrationState) {
  const lines: string[] = [];
  applyStep(step, direction, input, line => lines.push(line));
  return lines;
}

describe('migrations.md 9: helper vectors', () => {
  test('17: AddPrefixes backward removes keys under one prefix', () => {
    const s = state({ 'keep.me.a': 1, 'remove.me.b': 2, 'keep.this.c': 3, 'remove.me.d.e': 4 });
    run({ kind: 'AddPrefixes', prefixes: ['remove.me'] }, 'backward', s);
    expect(dataOf(s)).toEqual({ 'keep.me.a': 1, 'keep.this.c': 3 });
  });

  test('18: AddPrefixes backward with two prefixes; prefixes that match nothing change nothing', () => {
    const s = state({ 'keep.me.a': 1, 'remove.me.b': 2, 'keep.this.c': 3, 'remove.this.d.e': 4 });
    run({ kind: 'AddPrefixes', prefixes: ['remove.me', 'remove.this'] }, 'backward', s);
    expect(dataOf(s)).toEqual({ 'keep.me.a': 1, 'keep.this.c': 3 });
    const untouched = state({ 'keep.me.a': 1, 'remove.me.b': 2, 'keep.this.c': 3, 'remove.this.d.e': 4 });
    run({ kind: 'AddPrefixes', prefixes: ['not.found', 'nor.this'] }, 'backward', untouched);
    expect(dataOf(untouched)).toEqual({ 'keep.me.a': 1, 'remove.me.b': 2, 'keep.this.c': 3, 'remove.this.d.e': 4 });
  });

  test('AddPrefixes is a plain string prefix (not dot-aware) and does nothing forward', () => {
    const s = state({ 'settings.ab': 1, 'settings.a.b': 2, other: 3 });
    run({ kind: 'AddPrefixes', prefixes: ['settings.a'] }, 'forward', s);
    expect(dataOf(s)).toEqual({ 'settings.ab': 1, 'settings.a.b': 2, other: 3 });
    run({ kind: 'AddPrefixes', prefixes: ['settings.a'] }, 'backward', s);
    expect(dataOf(s)).toEqual({ other: 3 });
  });

  test('19: ReplaceLists forward, and backward with old/new swapped', () => {
    const s = state({ hi: ['there'] });
    run({ kind: 'ReplaceLists', replacements: [{ setting: 'hi', old: ['there'], new: ['sup'] }] }, 'forward', s);
    expect(dataOf(s)).toEqual({ hi: ['sup'] });
    const b = state({ hi: ['there'] });
    run({ kind: 'ReplaceLists', replacements: [{ setting: 'hi', old: ['sup'], new: ['there'] }] }, 'backward', b);
    expect(dataOf(b)).toEqual({ hi: ['sup'] });
  });

  const multiple: MigrationStepDoc = {
    kind: 'ReplaceLists',
    replacements: [
      { setting: 'hi', old: ['there', 'you'], new: ['sup', 'hey'] },
      { setting: 'hi2', old: ['hey', 'listen'], new: ['look', 'watch out'] },
    ],
  };

  test('20: ReplaceLists with several settings leaves other lists alone', () => {
    const s = state({ hi: ['there', 'you'], hi2: ['hey', 'listen'], ignored: ['no', 'change'] });
    run(multiple, 'forward', s);
    expect(dataOf(s)).toEqual({ hi: ['sup', 'hey'], hi2: ['look', 'watch out'], ignored: ['no', 'change'] });
  });

  test('20: a string value is unchanged; a list holding a non-string is an error', () => {
    const s = state({ hi: 'just a string' });
    run(multiple, 'forward', s);
    expect(dataOf(s)).toEqual({ hi: 'just a string' });
    expect(() => run(multiple, 'forward', state({ hi: [0] }))).toThrow("Cannot replace list of setting 'hi': it holds a value that is not a string: [0]");
  });

  test('ReplaceLists is order-sensitive and ignores absent settings', () => {
    const s = state({ hi: ['you', 'there'] });
    run(multiple, 'forward', s);
    expect(dataOf(s)).toEqual({ hi: ['you', 'there'] });
  });

  test('21: AddMetadata backward removes the named metadata (the map may become empty)', () => {
    const s = state({}, { hi: { there: 'whatever' } });
    run({ kind: 'AddMetadata', entries: [{ setting: 'hi', metadata: ['there'] }] }, 'backward', s);
    expect(metadataOf(s)).toEqual({ hi: {} });
    const other = state({}, { hi: { sup: 'wassup' } });
    run({ kind: 'AddMetadata', entries: [{ setting: 'hi', metadata: ['there'] }] }, 'backward', other);
    expect(metadataOf(other)).toEqual({ hi: { sup: 'wassup' } });
    const forward = state({}, { hi: { there: 'whatever' } });
    run({ kind: 'AddMetadata', entries: [{ setting: 'hi', metadata: ['there'] }] }, 'forward', forward);
    expect(metadataOf(forward)).toEqual({ hi: { there: 'whatever' } });
  });

  test('22: RemoveMetadata forward removes; other names and backward change nothing', () => {
    const s = state({}, { hi: { there: 'whatever' } });
    run({ kind: 'RemoveMetadata', entries: [{ setting: 'hi', metadata: ['there'] }] }, 'forward', s);
    expect(metadataOf(s)).toEqual({ hi: {} });
    const which = state({}, { hi: { there: 'whatever' } });
    run({ kind: 'RemoveMetadata', entries: [{ setting: 'hi', metadata: ['which'] }] }, 'forward', which);
    expect(metadataOf(which)).toEqual({ hi: { there: 'whatever' } });
    const backward = state({}, { hi: { there: 'whatever' } });
    run({ kind: 'RemoveMetadata', entries: [{ setting: 'hi', metadata: ['there'] }] }, 'backward', backward);
    expect(metadataOf(backward)).toEqual({ hi: { there: 'whatever' } });
  });

  test('23: ReplaceMetadata forward, and backward', () => {
    const s = state({}, { hiking: { 'setting-generator': 'weather-is-sunny' } });
    run({ kind: 'ReplaceMetadata', replacements: [{ setting: 'hiking', metadata: 'setting-generator', old: 'weather-is-sunny', new: '/bin/true' }] }, 'forward', s);
    expect(metadataOf(s)).toEqual({ hiking: { 'setting-generator': '/bin/true' } });
    const b = state({}, { 'favorite-dog-park': { 'setting-generator': 'closest-lake' } });
    run({ kind: 'ReplaceMetadata', replacements: [{ setting: 'favorite-dog-park', metadata: 'setting-generator', old: 'closest-beach', new: 'closest-lake' }] }, 'backward', b);
    expect(metadataOf(b)).toEqual({ 'favorite-dog-park': { 'setting-generator': 'closest-beach' } });
  });

  test('24: ReplaceMetadata on a list value, a missing setting or missing metadata changes nothing', () => {
    const step: MigrationStepDoc = { kind: 'ReplaceMetadata', replacements: [{ setting: 'hiking', metadata: 'qualities', old: 'synthesizer', new: 'piano' }] };
    const list = state({}, { hiking: { qualities: ['synthesizer', 'sequencer'] } });
    expect(() => run(step, 'forward', list)).not.toThrow();
    expect(metadataOf(list)).toEqual({ hiking: { qualities: ['synthesizer', 'sequencer'] } });
    const missingSetting = state({}, { biking: { qualities: 'synthesizer' } });
    run(step, 'forward', missingSetting);
    expect(metadataOf(missingSetting)).toEqual({ biking: { qualities: 'synthesizer' } });
    const missingMeta = state({}, { hiking: { other: 'synthesizer' } });
    run(step, 'forward', missingMeta);
    expect(metadataOf(missingMeta)).toEqual({ hiking: { other: 'synthesizer' } });
  });

  test('25: ReplaceMetadataLists forward, and backward', () => {
    const step: MigrationStepDoc = { kind: 'ReplaceMetadataLists', replacements: [{ setting: 'sunny', metadata: 'affected-service', old: ['ice', 'cube'], new: ['warm', 'water'] }] };
    const s = state({}, { sunny: { 'affected-service': ['ice', 'cube'] } });
    run(step, 'forward', s);
    expect(metadataOf(s)).toEqual({ sunny: { 'affected-service': ['warm', 'water'] } });
    const b = state({}, { freezing: { 'affected-service': ['warm', 'water'] } });
    run({ ...step, replacements: [{ ...step.replacements[0]!, setting: 'freezing' }] } as MigrationStepDoc, 'backward', b);
    expect(metadataOf(b)).toEqual({ freezing: { 'affected-service': ['ice', 'cube'] } });
  });

  test('ReplaceMetadataLists: a metadata list with a non-string is an error', () => {
    const step: MigrationStepDoc = { kind: 'ReplaceMetadataLists', replacements: [{ setting: 'sunny', metadata: 'affected-service', old: ['ice'], new: ['warm'] }] };
    expect(() => run(step, 'forward', state({}, { sunny: { 'affected-service': ['ice', 7] } }))).toThrow("Cannot replace list of metadata 'affected-service' of 'sunny'");
  });
});

describe('the other kinds of migrations.md 8.3', () => {
  test('AddSettings: forward nothing, backward deletes the listed keys only', () => {
    const step: MigrationStepDoc = { kind: 'AddSettings', keys: ['settings.updates.version-lock', 'settings.updates.ignore-waves'] };
    const s = state({ 'settings.updates.version-lock': 'latest', 'settings.updates.ignore-waves': false, 'settings.updates.seed': 7 });
    run(step, 'forward', s);
    expect(s.data.size).toBe(3);
    const lines = run(step, 'backward', s);
    expect(dataOf(s)).toEqual({ 'settings.updates.seed': 7 });
    expect(lines).toEqual(["Removed settings.updates.version-lock, which was set to '\"latest\"'", "Removed settings.updates.ignore-waves, which was set to 'false'"]);
  });

  test('RemoveSettings: forward deletes, backward cannot bring values back', () => {
    const step: MigrationStepDoc = { kind: 'RemoveSettings', keys: ['settings.old'] };
    const s = state({ 'settings.old': 1, 'settings.new': 2 });
    run(step, 'backward', s);
    expect(dataOf(s)).toEqual({ 'settings.old': 1, 'settings.new': 2 });
    run(step, 'forward', s);
    expect(dataOf(s)).toEqual({ 'settings.new': 2 });
  });

  test('ReplaceString: only a string equal to old changes; backward swaps the roles', () => {
    const step: MigrationStepDoc = { kind: 'ReplaceString', setting: 'configuration-files.kubelet-exec-start-conf.mode', old: '0600', new: '0644' };
    const s = state({ 'configuration-files.kubelet-exec-start-conf.mode': '0600' });
    run(step, 'forward', s);
    expect(dataOf(s)).toEqual({ 'configuration-files.kubelet-exec-start-conf.mode': '0644' });
    run(step, 'backward', s);
    expect(dataOf(s)).toEqual({ 'configuration-files.kubelet-exec-start-conf.mode': '0600' });
    for (const other of ['0700', 600, ['0600']]) {
      const o = state({ 'configuration-files.kubelet-exec-start-conf.mode': other });
      run(step, 'forward', o);
      expect(dataOf(o)).toEqual({ 'configuration-files.kubelet-exec-start-conf.mode': other });
    }
    const absent = state({});
    run(step, 'forward', absent);
    expect(absent.data.size).toBe(0);
  });

  const pivot: MigrationStepDoc = {
    kind: 'ReplaceTemplate',
    setting: 'settings.updates.metadata-base-url',
    old: 'https://updates.bottlerocket.aws/2020-02-02/{{ os.variant_id }}/{{ os.arch }}/',
    new: 'https://updates.bottlerocket.aws/2020-07-07/{{ os.variant_id }}/{{ os.arch }}/',
  };
  const osKeys = { 'os.variant_id': 'aws-k8s', 'os.arch': 'x86_64' };

  test('ReplaceTemplate: a value rendered from the old template is rendered from the new one', () => {
    const s = state(
      { ...osKeys, 'settings.updates.metadata-base-url': 'https://updates.bottlerocket.aws/2020-02-02/aws-k8s/x86_64/' },
      { 'settings.updates.metadata-base-url': { template: pivot.old } },
    );
    run(pivot, 'forward', s);
    expect(dataOf(s)['settings.updates.metadata-base-url']).toBe('https://updates.bottlerocket.aws/2020-07-07/aws-k8s/x86_64/');
    expect(metadataOf(s)['settings.updates.metadata-base-url']).toEqual({ template: pivot.new });
    run(pivot, 'backward', s);
    expect(dataOf(s)['settings.updates.metadata-base-url']).toBe('https://updates.bottlerocket.aws/2020-02-02/aws-k8s/x86_64/');
    expect(metadataOf(s)['settings.updates.metadata-base-url']).toEqual({ template: pivot.old });
  });

  test('ReplaceTemplate: a value the user changed, or another template, is left alone', () => {
    const changed = state({ ...osKeys, 'settings.updates.metadata-base-url': 'https://mirror.example/' }, { 'settings.updates.metadata-base-url': { template: pivot.old } });
    run(pivot, 'forward', changed);
    expect(dataOf(changed)['settings.updates.metadata-base-url']).toBe('https://mirror.example/');
    expect(metadataOf(changed)['settings.updates.metadata-base-url']).toEqual({ template: pivot.old });
    const other = state({ ...osKeys, 'settings.updates.metadata-base-url': 'x' }, { 'settings.updates.metadata-base-url': { template: 'x' } });
    run(pivot, 'forward', other);
    expect(dataOf(other)['settings.updates.metadata-base-url']).toBe('x');
  });

  test('ReplaceTemplate: a non-string value is an error', () => {
    expect(() => run(pivot, 'forward', state({ 'settings.updates.metadata-base-url': 42 }))).toThrow("Cannot replace the template of setting 'settings.updates.metadata-base-url': its value is not a string: 42");
  });

  test('NoOp changes nothing in either direction', () => {
    const s = state({ a: 1 }, { a: { m: 'x' } });
    run({ kind: 'NoOp' }, 'forward', s);
    run({ kind: 'NoOp' }, 'backward', s);
    expect([dataOf(s), metadataOf(s)]).toEqual([{ a: 1 }, { a: { m: 'x' } }]);
  });

  test('brkt RenameSettings moves a key, the keys below it and their metadata, and back', () => {
    const step: MigrationStepDoc = { kind: 'RenameSettings', renames: [{ from: 'settings.old', to: 'settings.new' }] };
    const s = state({ 'settings.old.a': 1, 'settings.old.b.c': 'x', 'settings.older': true }, { 'settings.old': { 'affected-services': ['svc'] } });
    run(step, 'forward', s);
    expect(dataOf(s)).toEqual({ 'settings.new.a': 1, 'settings.new.b.c': 'x', 'settings.older': true });
    expect(metadataOf(s)).toEqual({ 'settings.new': { 'affected-services': ['svc'] } });
    run(step, 'backward', s);
    expect(dataOf(s)).toEqual({ 'settings.old.a': 1, 'settings.old.b.c': 'x', 'settings.older': true });
    expect(metadataOf(s)).toEqual({ 'settings.old': { 'affected-services': ['svc'] } });
  });

  test('values no step touches keep their exact JSON text', () => {
    const s: MigrationState = { data: new Map([['settings.x', '1.0'], ['settings.y', '"a"']]), metadata: new Map() };
    run({ kind: 'ReplaceString', setting: 'settings.y', old: 'a', new: 'b' }, 'forward', s);
    expect([...s.data]).toEqual([['settings.x', '1.0'], ['settings.y', '"b"']]);
  });
});

describe('documents', () => {
  const doc = parseMigrationDocument(
    JSON.stringify({
      steps: [
        { kind: 'RenameSettings', renames: [{ from: 'settings.motd', to: 'settings.greeting' }] },
        { kind: 'ReplaceString', setting: 'settings.greeting', old: 'hi', new: 'hello' },
      ],
    }),
    'migrate_v1.1.0_greeting.json',
  );

  test('forward runs the steps in order, backward runs them reversed, each backward', () => {
    const s = state({ 'settings.motd': 'hi' });
    applyDocument(doc, 'forward', s, () => {});
    expect(dataOf(s)).toEqual({ 'settings.greeting': 'hello' });
    applyDocument(doc, 'backward', s, () => {});
    expect(dataOf(s)).toEqual({ 'settings.motd': 'hi' });
  });
});
