// Checks a document against a model schema and returns it normalised (struct fields in model
// order, map keys sorted, nulls dropped), or throws one line in serde's words naming the key:
// "unknown field `foo`, expected one of `motd`, ..." / "invalid type: integer `42`, expected a string".
import type { TSchema } from '@sinclair/typebox';
import { BrktError } from '../errors';
import { keyFromSegments } from '../datastore/key';
import { pointerJoin } from '../datastore/json-text';
import { CHECKS, VALUE_CHECKS } from './modeled-types';

interface Walk {
  floats: Set<string>;
}

type Schema = TSchema & {
  type?: string;
  title?: string;
  properties?: Record<string, TSchema>;
  required?: string[];
  patternProperties?: Record<string, TSchema>;
  items?: TSchema;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  enum?: string[];
  'x-brkt-type'?: string;
  propertyNames?: TSchema;
  /** Other names a field is accepted under (serde `alias`): alias -> field. */
  'x-brkt-aliases'?: Record<string, string>;
};

/** serde's "unexpected" wording for a JSON value. */
function describe(value: unknown, isFloat: boolean): string {
  if (value === null) return 'unit value';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  if (typeof value === 'number') return isFloat || !Number.isInteger(value) ? `floating point \`${Number.isInteger(value) ? value.toFixed(1) : value}\`` : `integer \`${value}\``;
  if (Array.isArray(value)) return 'sequence';
  return 'map';
}

function expected(schema: Schema): string {
  switch (schema.type) {
    case 'string':
      return 'a string';
    case 'integer':
      return schema['x-brkt-type'] === 'u32' ? 'u32' : 'an integer';
    case 'boolean':
      return 'a boolean';
    case 'array':
      return 'a sequence';
    case 'object':
      return schema.properties ? `struct ${schema.title ?? 'object'}` : 'a map';
    default:
      return 'a value';
  }
}

/** `settings.kubernetes.node-labels."a.b"` for messages; segments that can't form a key are shown raw. */
function keyName(path: string[]): string {
  try {
    return keyFromSegments(path).name;
  } catch {
    return path.join('.');
  }
}

/**
 * Validates `value` against `schema`. `root` names the document's area (`settings`) for
 * messages; `floats` marks number tokens that had a fraction or exponent.
 */
export function validateModel<T = unknown>(schema: TSchema, value: unknown, options: { root?: string; floats?: Set<string> } = {}): T {
  const walk: Walk = { floats: options.floats ?? new Set() };
  return check(schema as Schema, value, options.root ? [options.root] : [], '', walk) as T;
}

function fail(path: string[], message: string): never {
  const at = path.length ? ` at key '${keyName(path)}'` : '';
  throw new BrktError('invalid-input', `${message}${at}`);
}

function check(schema: Schema, value: unknown, path: string[], pointer: string, walk: Walk): unknown {
  const checked = checkShape(schema, value, path, pointer, walk);
  const typeName = schema['x-brkt-type'];
  const normalise = typeName ? VALUE_CHECKS.get(typeName) : undefined;
  if (!normalise) return checked;
  const result = normalise(checked);
  if ('reason' in result) fail(path, `Unable to deserialize into ${typeName}: ${result.reason}`);
  return result.value;
}

function checkShape(schema: Schema, value: unknown, path: string[], pointer: string, walk: Walk): unknown {
  const isFloat = walk.floats.has(pointer);
  const mismatch = () => fail(path, `invalid type: ${describe(value, isFloat)}, expected ${expected(schema)}`);
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return mismatch();
      // brkt: a NUL cannot reach a configuration file or a program's argument intact.
      if (value.includes('\u0000')) fail(path, `invalid value: ${describe(value, false)}, expected a string without NUL characters`);
      const typeName = schema['x-brkt-type'];
      const reason = typeName ? CHECKS.get(typeName)?.(value) : undefined;
      if (reason) fail(path, `Unable to deserialize into ${typeName}: ${reason}`);
      if (!typeName && schema.enum && !schema.enum.includes(value)) {
        fail(path, `unknown variant \`${value}\`, expected one of ${schema.enum.map(e => `\`${e}\``).join(', ')}`);
      }
      return value;
    }
    case 'integer': {
      if (typeof value !== 'number' || isFloat || !Number.isInteger(value)) return mismatch();
      if ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum)) {
        fail(path, `invalid value: integer \`${value}\`, expected ${expected(schema)} in ${schema.minimum ?? '-inf'}..=${schema.maximum ?? 'inf'}`);
      }
      return value;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : mismatch();
    case 'array': {
      if (!Array.isArray(value)) return mismatch();
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        fail(path, `invalid length ${value.length}, expected at least ${schema.minItems} element${schema.minItems === 1 ? '' : 's'}`);
      }
      return value.map((item, index) => check(schema.items as Schema, item, [...path, String(index)], pointerJoin(pointer, index), walk));
    }
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return mismatch();
      let input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const aliases = schema['x-brkt-aliases'];
      if (aliases) {
        input = { ...input };
        for (const [alias, name] of Object.entries(aliases)) {
          if (!(alias in input)) continue;
          if (name in input) fail([...path, name], `duplicate field \`${name}\``);
          input[name] = input[alias];
          delete input[alias];
        }
      }
      if (schema.properties) {
        const names = Object.keys(schema.properties);
        for (const name of Object.keys(input)) {
          // Own names only: `constructor` or `__proto__` is an unknown field, not an inherited member.
          if (!Object.hasOwn(schema.properties, name)) {
            fail([...path, name], `unknown field \`${name}\`, expected one of ${names.map(n => `\`${n}\``).join(', ')}`);
          }
        }
        for (const name of names) {
          const child = input[name];
          if (child === undefined || child === null) continue; // null means "not given" (api.md 6.3)
          out[name] = check(schema.properties[name] as Schema, child, [...path, name], pointerJoin(pointer, name), walk);
        }
        for (const name of schema.required ?? []) {
          if (!Object.hasOwn(out, name)) fail(path, `missing field \`${name}\``);
        }
        return out;
      }
      const valueSchema = Object.values(schema.patternProperties ?? {})[0] as Schema | undefined;
      const keySchema = schema.propertyNames as Schema | undefined;
      for (const name of Object.keys(input).sort()) {
        const child = input[name];
        if (child === undefined || child === null) continue;
        if (keySchema) check(keySchema, name, [...path, name], pointer, { floats: new Set() });
        // defineProperty: a map key named `__proto__` is data, not the object's prototype.
        const checked = valueSchema ? check(valueSchema, child, [...path, name], pointerJoin(pointer, name), walk) : child;
        Object.defineProperty(out, name, { value: checked, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      return value;
  }
}
