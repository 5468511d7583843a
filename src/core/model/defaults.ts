// A variant's defaults: upstream's defaults.toml deep-merged with the variant's
// override-defaults.toml (bottlerocket v1.0.0 sources/models), then split into what storewolf
// writes (settings.md sections 5 and 6). The TOML files ship inside the binary.
import { parse as parseToml } from 'smol-toml';
import { BrktError, messageOf } from '../errors';
import { flatten, type Pair } from '../datastore/pairs';
import { keyFromSegments, type Key } from '../datastore/key';
import { generatorText, parseGenerator, SETTING_GENERATOR_METADATA } from '../datastore/generator-metadata';
import BASE from './defaults/defaults.toml' with { type: 'text' };
import AWS_DEV from './defaults/aws-dev.toml' with { type: 'text' };
import AWS_ECS_1 from './defaults/aws-ecs-1.toml' with { type: 'text' };
import AWS_K8S from './defaults/aws-k8s.toml' with { type: 'text' };
import BRKT from './defaults/brkt.toml' with { type: 'text' };
import HOST_KEYS from './defaults/host-keys.toml' with { type: 'text' };
import CURRENT from './defaults/current.toml' with { type: 'text' };
import AWS_K8S_CURRENT from './defaults/aws-k8s-current.toml' with { type: 'text' };
import AWS_ECS_CURRENT from './defaults/aws-ecs-current.toml' with { type: 'text' };

/**
 * Override files per variant. Upstream v1.0.0 has one directory for Kubernetes,
 * `src/aws-k8s-1.15`, and `src/aws-k8s-1.16` and `src/aws-k8s-1.17` are symlinks to it; so the
 * three k8s variants share `aws-k8s.toml` (its containerd template is `..._aws-k8s`).
 */
export const VARIANT_DEFAULTS: Record<string, string[]> = {
  'aws-dev': [BASE, AWS_DEV, BRKT, HOST_KEYS],
  'aws-ecs-1': [BASE, AWS_ECS_1, BRKT, HOST_KEYS],
  'aws-k8s-1.15': [BASE, AWS_K8S, BRKT, HOST_KEYS],
  'aws-k8s-1.16': [BASE, AWS_K8S, BRKT, HOST_KEYS],
  'aws-k8s-1.17': [BASE, AWS_K8S, BRKT, HOST_KEYS],
  // Current variants: the 2020 files, brkt's, then current upstream's values on top.
  'aws-k8s-1.31': [BASE, AWS_K8S, BRKT, HOST_KEYS, CURRENT, AWS_K8S_CURRENT],
  'aws-ecs-2': [BASE, AWS_ECS_1, BRKT, HOST_KEYS, CURRENT, AWS_ECS_CURRENT],
};

export const SHIPPED_VARIANTS = Object.keys(VARIANT_DEFAULTS);

export interface MetadataDefault {
  key: Key;
  name: string;
  /** JSON text of the value. */
  text: string;
}

export interface Defaults {
  /** `settings.*` values (storewolf writes them to the `bottlerocket-launch` transaction). */
  settings: Pair[];
  metadata: MetadataDefault[];
  /** `services.*` and `configuration-files.*` values (written to live). */
  other: Pair[];
}

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table => value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);

/** Tables merge key by key; a scalar or an array on the right replaces the left; table vs scalar is an error. */
export function mergeDefaults(left: Table, right: Table, path: string[] = []): Table {
  const out: Table = { ...left };
  for (const [name, value] of Object.entries(right)) {
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (isTable(existing) && isTable(value)) out[name] = mergeDefaults(existing, value, [...path, name]);
    else if (isTable(existing) !== isTable(value)) {
      throw new BrktError('invalid-input', `Defaults conflict at ${[...path, name].join('.')}: a table on one side, a value on the other`);
    } else out[name] = value;
  }
  return out;
}

/** Table form of `setting-generator` (settings-now.md 1.5): `command`, `strength`, `depth`, nothing else. */
function generatorFromTable(table: Table, where: string): string {
  try {
    return generatorText(parseGenerator(table));
  } catch (error) {
    throw new BrktError('invalid-input', `Metadata ${where}: ${messageOf(error)}`);
  }
}

/** Metadata leaves: a string or array named N at table path P is metadata N of data key P. */
function collectMetadata(table: Table, path: string[], out: MetadataDefault[]) {
  for (const [name, value] of Object.entries(table)) {
    if (name === SETTING_GENERATOR_METADATA && isTable(value) && path.length > 0) {
      out.push({ key: keyFromSegments(path), name, text: generatorFromTable(value, [...path, name].join('.')) });
      continue;
    }
    if (isTable(value)) {
      collectMetadata(value, [...path, name], out);
      continue;
    }
    if (typeof value !== 'string' && !Array.isArray(value)) {
      throw new BrktError('invalid-input', `Metadata ${[...path, name].join('.')} must be a string or an array`);
    }
    if (path.length === 0) throw new BrktError('invalid-input', `Metadata '${name}' has no data key`);
    out.push({ key: keyFromSegments(path), name, text: JSON.stringify(value) });
  }
}

/** Parses and merges TOML documents, in order, into what storewolf writes. */
export function parseDefaults(documents: string[]): Defaults {
  let merged: Table = {};
  for (const text of documents) {
    try {
      merged = mergeDefaults(merged, parseToml(text) as Table);
    } catch (error) {
      if (error instanceof BrktError) throw error;
      throw new BrktError('invalid-input', `Defaults are not valid TOML: ${messageOf(error)}`);
    }
  }
  const { settings, metadata, ...rest } = merged;
  const metadataOut: MetadataDefault[] = [];
  if (metadata !== undefined) {
    if (!isTable(metadata)) throw new BrktError('invalid-input', 'Defaults: metadata must be a table');
    collectMetadata(metadata, [], metadataOut);
  }
  return {
    settings: settings === undefined ? [] : flatten(settings, ['settings']),
    metadata: metadataOut,
    other: flatten(rest),
  };
}

/** The shipped defaults of `variant`; an unknown variant is refused with the list of known ones. */
export function variantDefaults(variant: string): Defaults {
  const documents = VARIANT_DEFAULTS[variant];
  if (!documents) throw new BrktError('invalid-input', `Unknown variant '${variant}': brkt ships ${SHIPPED_VARIANTS.join(', ')}`);
  return parseDefaults(documents);
}
