// The migration document: brkt's declarative, signed stand-in for upstream's migration programs.
// Its steps are migration-helpers' kinds (migrations.md 8.3); one JSON schema types and checks it.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { BrktError } from '../errors';
import { canonicalName } from '../datastore/key';

const Setting = Type.String({ minLength: 1, description: 'A data key name, dotted (settings.motd)' });
const MetadataName = Type.String({ minLength: 1, description: 'A metadata name (affected-services)' });
const Strings = Type.Array(Type.String());
const step = <K extends string, T extends Record<string, TSchema>>(kind: K, description: string, members: T) =>
  Type.Object({ kind: Type.Literal(kind), ...members }, { additionalProperties: false, description });

/** Every step kind: forward and backward meanings are in steps.ts and the README. */
export const STEP_SCHEMAS = {
  AddSettings: step('AddSettings', 'New settings: backward deletes them', { keys: Type.Array(Setting) }),
  AddPrefixes: step('AddPrefixes', 'New key prefixes: backward deletes every key starting with one (string prefix)', { prefixes: Type.Array(Type.String({ minLength: 1 })) }),
  RemoveSettings: step('RemoveSettings', 'Obsolete settings: forward deletes them, backward cannot restore them', { keys: Type.Array(Setting) }),
  ReplaceString: step('ReplaceString', 'A string value equal to old becomes new (backward: new becomes old)', { setting: Setting, old: Type.String(), new: Type.String() }),
  ReplaceLists: step('ReplaceLists', 'A list of strings equal to old becomes new', {
    replacements: Type.Array(Type.Object({ setting: Setting, old: Strings, new: Strings }, { additionalProperties: false })),
  }),
  ReplaceTemplate: step('ReplaceTemplate', 'A value generated from the old template is regenerated from the new one (schnauzer v1)', {
    setting: Setting,
    old: Type.String({ description: 'Template the value was rendered from' }),
    new: Type.String({ description: 'Template to render it from instead' }),
  }),
  AddMetadata: step('AddMetadata', 'New metadata: backward removes it', {
    entries: Type.Array(Type.Object({ setting: Setting, metadata: Type.Array(MetadataName) }, { additionalProperties: false })),
  }),
  RemoveMetadata: step('RemoveMetadata', 'Obsolete metadata: forward removes it', {
    entries: Type.Array(Type.Object({ setting: Setting, metadata: Type.Array(MetadataName) }, { additionalProperties: false })),
  }),
  ReplaceMetadataLists: step('ReplaceMetadataLists', 'A metadata list of strings equal to old becomes new', {
    replacements: Type.Array(Type.Object({ setting: Setting, metadata: MetadataName, old: Strings, new: Strings }, { additionalProperties: false })),
  }),
  ReplaceMetadata: step('ReplaceMetadata', 'A string metadata value equal to old becomes new', {
    replacements: Type.Array(Type.Object({ setting: Setting, metadata: MetadataName, old: Type.String(), new: Type.String() }, { additionalProperties: false })),
  }),
  RenameSettings: step('RenameSettings', 'brkt: a setting (and every key below it) moves to a new name; backward moves it back', {
    renames: Type.Array(Type.Object({ from: Setting, to: Setting }, { additionalProperties: false })),
  }),
  NoOp: step('NoOp', 'Changes nothing (the datastore is still copied)', {}),
} as const;

export type StepKind = keyof typeof STEP_SCHEMAS;
export type MigrationStepDoc = { [K in StepKind]: Static<(typeof STEP_SCHEMAS)[K]> }[StepKind];

export const MigrationDocumentSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    description: Type.Optional(Type.String({ description: 'What the migration is for' })),
    steps: Type.Array(Type.Union(Object.values(STEP_SCHEMAS)), { description: 'Run in order forward, in reverse order backward' }),
  },
  { additionalProperties: false, title: 'brkt migration document' },
);
export type MigrationDocument = Static<typeof MigrationDocumentSchema>;

function invalid(name: string, path: string, reason: string): never {
  throw new BrktError('invalid-input', `Invalid migration document ${name}: ${path ? `${path}: ` : ''}${reason}`);
}

/** The first schema error of `value`, as `steps/0/keys: Expected array`. */
function check(schema: TSchema, value: unknown, name: string, at: string) {
  if (Value.Check(schema, value)) return;
  const first = Value.Errors(schema, value).First();
  invalid(name, `${at}${first?.path ?? ''}`.replace(/^\//, ''), first?.message ?? 'does not match the schema');
}

/**
 * Parses and checks a migration document. Key names are checked with the datastore's grammar
 * and made canonical (`"a".b` -> `a.b`) so that they compare equal to the names read from disk.
 */
export function parseMigrationDocument(text: string, name: string): MigrationDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    invalid(name, '', `not JSON (${(error as Error).message})`);
  }
  const top = raw as { steps?: unknown };
  // Checked step by step so an error names the step and its kind instead of a whole union.
  check(Type.Object({ ...MigrationDocumentSchema.properties, steps: Type.Array(Type.Object({ kind: Type.String() })) }, { additionalProperties: false }), raw, name, '');
  (top.steps as Array<{ kind: string }>).forEach((item, index) => {
    const schema = (STEP_SCHEMAS as Record<string, TSchema>)[item.kind];
    if (!schema) invalid(name, `steps/${index}/kind`, `unknown kind '${item.kind}' (known: ${Object.keys(STEP_SCHEMAS).join(', ')})`);
    check(schema, item, name, `/steps/${index}`);
  });
  const doc = raw as MigrationDocument;
  return { ...doc, steps: doc.steps.map((s, index) => canonicalStep(s, `${name}: steps/${index}`)) };
}

function canonicalStep(s: MigrationStepDoc, where: string): MigrationStepDoc {
  const data = (key: string) => canonical(key, 'data', where);
  const meta = (key: string) => canonical(key, 'meta', where);
  switch (s.kind) {
    case 'AddSettings':
    case 'RemoveSettings':
      return { ...s, keys: s.keys.map(data) };
    case 'ReplaceString':
    case 'ReplaceTemplate':
      return { ...s, setting: data(s.setting) };
    case 'ReplaceLists':
      return { ...s, replacements: s.replacements.map(r => ({ ...r, setting: data(r.setting) })) };
    case 'AddMetadata':
    case 'RemoveMetadata':
      return { ...s, entries: s.entries.map(e => ({ setting: data(e.setting), metadata: e.metadata.map(meta) })) };
    case 'ReplaceMetadataLists':
    case 'ReplaceMetadata':
      return { ...s, replacements: s.replacements.map(r => ({ ...r, setting: data(r.setting), metadata: meta(r.metadata) })) } as MigrationStepDoc;
    case 'RenameSettings':
      return { ...s, renames: s.renames.map(r => ({ from: data(r.from), to: data(r.to) })) };
    default:
      return s; // AddPrefixes are plain string prefixes, not key names; NoOp has nothing
  }
}

function canonical(key: string, kind: 'data' | 'meta', where: string): string {
  try {
    return canonicalName(key, kind);
  } catch (error) {
    throw new BrktError('invalid-input', `Invalid migration document ${where}: ${(error as Error).message}`);
  }
}

/** The JSON Schema of the document, for authors and editors. */
export const migrationDocumentJsonSchema = () => JSON.parse(JSON.stringify(MigrationDocumentSchema)) as object;
