import { describe, expect, test } from 'bun:test';
import { migrationDocumentJsonSchema, parseMigrationDocument, STEP_SCHEMAS } from './document';

const parse = (value: unknown) => parseMigrationDocument(JSON.stringify(value), 'migrate_v1.1.0_x.json');

describe('migration documents', () => {
  test('every step kind parses; key names become canonical', () => {
    const doc = parse({
      description: 'all kinds',
      steps: [
        { kind: 'AddSettings', keys: ['settings."a".b'] },
        { kind: 'AddPrefixes', prefixes: ['settings.kubelet-device-plugins'] },
        { kind: 'RemoveSettings', keys: ['settings.old'] },
        { kind: 'ReplaceString', setting: 'settings.s', old: 'a', new: 'b' },
        { kind: 'ReplaceLists', replacements: [{ setting: 'settings.l', old: ['a'], new: ['b'] }] },
        { kind: 'ReplaceTemplate', setting: 'settings.t', old: '{{a}}', new: '{{b}}' },
        { kind: 'AddMetadata', entries: [{ setting: 'settings.m', metadata: ['affected-services'] }] },
        { kind: 'RemoveMetadata', entries: [{ setting: 'settings.m', metadata: ['"template"'] }] },
        { kind: 'ReplaceMetadataLists', replacements: [{ setting: 'settings.m', metadata: 'affected-services', old: ['a'], new: ['b'] }] },
        { kind: 'ReplaceMetadata', replacements: [{ setting: 'settings.m', metadata: 'setting-generator', old: 'a', new: 'b' }] },
        { kind: 'RenameSettings', renames: [{ from: 'settings.x."y.z"', to: 'settings.w' }] },
        { kind: 'NoOp' },
      ],
    });
    expect(doc.steps.map(s => s.kind)).toEqual(Object.keys(STEP_SCHEMAS).filter(k => k !== 'NoOp').concat('NoOp') as never);
    expect(doc.steps[0]).toEqual({ kind: 'AddSettings', keys: ['settings.a.b'] });
    expect(doc.steps[7]).toEqual({ kind: 'RemoveMetadata', entries: [{ setting: 'settings.m', metadata: ['template'] }] });
    expect(doc.steps[10]).toEqual({ kind: 'RenameSettings', renames: [{ from: 'settings.x."y.z"', to: 'settings.w' }] });
  });

  test.each([
    ['not JSON', '{', 'Invalid migration document migrate_v1.1.0_x.json: not JSON'],
    ['no steps', {}, 'Invalid migration document migrate_v1.1.0_x.json: steps: Expected required property'],
    ['unknown member', { steps: [], run: 'rm -rf /' }, 'Invalid migration document migrate_v1.1.0_x.json: run: Unexpected property'],
    ['unknown kind', { steps: [{ kind: 'RunProgram' }] }, "steps/0/kind: unknown kind 'RunProgram'"],
    ['wrong member type', { steps: [{ kind: 'AddSettings', keys: 'settings.a' }] }, 'steps/0/keys: Expected array'],
    ['member of another kind', { steps: [{ kind: 'NoOp', keys: [] }] }, 'steps/0/keys: Unexpected property'],
    ['invalid key', { steps: [{ kind: 'RemoveSettings', keys: ['settings..a'] }] }, "Key name 'settings..a' has invalid format: empty key segment"],
    ['metadata name with dots', { steps: [{ kind: 'AddMetadata', entries: [{ setting: 'settings.a', metadata: ['a.b'] }] }] }, 'meta keys may only have one segment'],
  ])('%s is refused', (_, value, message) => {
    expect(() => (typeof value === 'string' ? parseMigrationDocument(value, 'migrate_v1.1.0_x.json') : parse(value))).toThrow(message);
  });

  test('the JSON Schema names every kind', () => {
    const text = JSON.stringify(migrationDocumentJsonSchema());
    for (const kind of Object.keys(STEP_SCHEMAS)) expect(text).toContain(`"const":"${kind}"`);
  });
});
