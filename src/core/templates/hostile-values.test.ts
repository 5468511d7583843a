// Property test: no setting value changes the structure of a file it is rendered into. For every
// variant, every shipped template and every setting the template reads, generated hostile values
// (newlines, quotes, backslashes, comment and template characters, controls, unicode) are either
// refused by the model's validation, or rendered into a file that a real reader of its format
// reads back with exactly the same structure as for a plain value, holding the hostile value.
import { describe, expect, test } from 'bun:test';
import type { TSchema } from '@sinclair/typebox';
import { EMBEDDED_TEMPLATES, TEMPLATE_DIR } from '../../templates';
import { readFormat, type FileFormat } from '../../../test/helpers/config-formats';
import { hostileStrings } from '../../../test/helpers/hostile';
import { schemaAt } from '../client/settings-keys';
import { assemble } from '../datastore/pairs';
import { SHIPPED_VARIANTS, variantDefaults } from '../model/defaults';
import { settingsSchema } from '../model/settings';
import { validateModel } from '../model/validate';
import { ANY_ELEMENT, templateSettingsReads } from './reads';
import { renderTemplate } from './render';

/** How each shipped template's output is read back. */
const FILE_FORMATS: Record<string, FileFormat> = {
  motd: 'html-text',
  'updog-toml': 'toml',
  'containerd-config-toml_aws-k8s': 'toml',
  'containerd-config-toml_aws-ecs-1': 'toml',
  'containerd-config-toml_aws-dev': 'toml',
  'host-containers-toml': 'toml',
  'kubelet-config': 'yaml',
  'kubelet-kubeconfig': 'yaml',
  'kubelet-env': 'env',
  'ecs.config': 'env',
  'chrony-conf': 'chrony',
  'kubernetes-ca-crt': 'raw',
  'sysctl-conf': 'sysctl',
  'modprobe-conf': 'words',
  'modules-load-conf': 'words',
  'resolv-conf': 'words',
  'ca-bundle-crt': 'pem',
  'cri-base-json': 'json',
  'bootconfig-data': 'bootconfig',
  'bootstrap-commands-toml': 'toml',
};

const OS = { pretty_name: 'Bottlerocket OS 1.0.0', variant_id: 'aws-dev', version_id: '1.0.0', build_id: '6ef1139f', arch: 'x86_64' };
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The variant's defaults plus what the generators and user data add, so every template renders. */
function baseSettings(variant: string): Record<string, any> {
  const defaults = variantDefaults(variant);
  const settings = assemble(defaults.settings.map(pair => ({ segments: pair.key.segments, text: pair.text })), 1).value as Record<string, any>;
  settings.updates = { ...settings.updates, 'metadata-base-url': `https://updates.example.com/${variant}/x86_64/`, seed: 1487 };
  settings.aws = { region: 'us-west-2' };
  for (const name of ['admin', 'control']) settings['host-containers'][name].source = `example.com/${name}:v1`;
  if (variant.startsWith('aws-k8s')) {
    Object.assign(settings.kubernetes, {
      'cluster-name': 'prod-1',
      'api-server': 'https://api.example.com',
      'cluster-certificate': b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'),
      'node-ip': '192.168.1.5',
      'cluster-dns-ip': '10.100.0.10',
      'pod-infra-container-image': 'example.com/pause:3.1',
    });
  }
  return settings;
}

/** Templates a variant renders: its configuration files, and the host-containers file every variant could use. */
function templatesOf(variant: string): string[] {
  const names = variantDefaults(variant).other
    .filter(pair => pair.key.segments[0] === 'configuration-files' && pair.key.segments[2] === 'template-path')
    .map(pair => (JSON.parse(pair.text) as string).slice(TEMPLATE_DIR.length));
  return [...new Set([...names, 'host-containers-toml'])].sort();
}

type Node = TSchema & { type?: string; items?: Node; 'x-brkt-type'?: string; propertyNames?: Node; additionalProperties?: Node | boolean; patternProperties?: Record<string, Node> };

/** A value with `text` in the one place the test varies: the string, a list item, a map key or value. */
interface Shape {
  label: string;
  build(text: string): unknown;
}

const isBase64 = (node: Node | undefined) => node?.['x-brkt-type'] === 'ValidBase64';
/** Base64 settings are written as themselves or decoded (the CA file): the text is what they decode to. */
const encode = (node: Node | undefined, text: string) => (isBase64(node) ? b64(text) : text);

/** Values a map's other half can take, the first one the type accepts is used. */
const FILLERS = ['v', 'v:NoSchedule'];

/** `current` is the base value at the key: a map of entries lends one of them to the map-key shape. */
function shapesOf(node: Node, current: unknown, accepts: (value: unknown) => boolean): Shape[] {
  if (node.type === 'string') return [{ label: 'value', build: text => encode(node, text) }];
  if (node.type === 'array' && node.items?.type === 'string') return [{ label: 'list item', build: text => [encode(node.items, text)] }];
  const valueNode = (typeof node.additionalProperties === 'object' ? node.additionalProperties : Object.values(node.patternProperties ?? {})[0]) as Node | undefined;
  if (node.type !== 'object' || !valueNode) return [];
  if (valueNode.type === 'string') {
    const filler = FILLERS.find(value => accepts({ k: value }));
    if (filler === undefined) throw new Error('no filler value for this map');
    return [
      { label: 'map key', build: text => ({ [text]: filler }) },
      { label: 'map value', build: text => ({ k: encode(valueNode, text) }) },
    ];
  }
  // A map of groups (host containers): hostile names; the groups' fields are reads of their own.
  const entry = current && typeof current === 'object' ? Object.values(current)[0] : undefined;
  return entry === undefined ? [] : [{ label: 'map key', build: text => ({ [text]: entry }) }];
}

const MARKERS = ['markerzq', '203.0.113.77', '9.9.9-markerzq', 'markerzq:NoSchedule'];

/** Replaces, in every string of `value`, each of `from` by the matching `to`. */
function substitute(value: unknown, from: string[], to: string[]): unknown {
  if (typeof value === 'string') return from.reduce((text, marker, i) => text.split(marker).join(to[i]!), value);
  if (Array.isArray(value)) return value.map(item => substitute(item, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [substitute(key, from, to) as string, substitute(item, from, to)]));
  }
  return value;
}

function setAt(document: Record<string, any>, segments: string[], value: unknown) {
  let node = document;
  for (const segment of segments.slice(0, -1)) node = node[segment] ??= {};
  node[segments.at(-1)!] = value;
}

interface Tally {
  accepted: number;
  refused: number;
}

const tallies = new Map<string, Tally>();

describe.each(SHIPPED_VARIANTS)('%s', variant => {
  const schema = settingsSchema(variant);
  const validate = (settings: unknown) => {
    try {
      return { ok: true as const, value: validateModel(schema, settings, { root: 'settings' }) };
    } catch (error) {
      return { ok: false as const, error };
    }
  };

  test.each(templatesOf(variant))('%s keeps its syntax whatever the values', template => {
    const text = EMBEDDED_TEMPLATES.get(template)!;
    const format = FILE_FORMATS[template];
    if (!format) throw new Error(`no reader for template ${template}: add it to FILE_FORMATS`);
    const render = (settings: unknown) => renderTemplate(text, { settings, os: OS, services: {}, 'configuration-files': {} }, `${TEMPLATE_DIR}${template}`);
    const base = baseSettings(variant);
    expect(validate(base).ok).toBe(true);
    readFormat(format, render(base));

    for (const read of templateSettingsReads(text)) {
      // An #each over a list reads the list, tested as such; over a map, an entry ('admin').
      const elementAt = read.indexOf(ANY_ELEMENT);
      if (elementAt >= 0 && schemaAt(schema, read.slice(1, elementAt))?.type === 'array') continue;
      const segments = read.slice(1).map(segment => (segment === ANY_ELEMENT ? 'admin' : segment));
      const node = schemaAt(schema, segments) as Node | undefined;
      if (!node) continue; // a section this variant does not have: validation refuses it
      const withValue = (value: unknown) => {
        const settings = structuredClone(base);
        setAt(settings, segments, value);
        return settings;
      };
      const mapAccepts = (value: unknown) => validate(withValue(value)).ok;
      const current = segments.reduce<any>((value, segment) => value?.[segment], base);
      for (const shape of shapesOf(node, current, mapAccepts)) {
        const marker = MARKERS.find(candidate => validate(withValue(shape.build(candidate))).ok);
        const plain = marker === undefined ? undefined : readFormat(format, render(withValue(shape.build(marker))));
        const tally = tallies.get(`${template} ${read.join('.')} (${shape.label})`) ?? { accepted: 0, refused: 0 };
        tallies.set(`${template} ${read.join('.')} (${shape.label})`, tally);
        for (const hostile of hostileStrings(read.join('.').length * 7919 + shape.label.length, 160)) {
          const checked = validate(withValue(shape.build(hostile)));
          if (!checked.ok) {
            tally.refused++;
            continue;
          }
          // A type with no plain marker (an enum) must refuse every hostile value.
          if (marker === undefined) throw new Error(`${template}: ${JSON.stringify(hostile)} passed validation of ${read.join('.')}, which has no test marker`);
          tally.accepted++;
          const case_ = { template, key: read.join('.'), shape: shape.label, value: hostile };
          let rendered: string;
          try {
            rendered = render(checked.value);
          } catch (error) {
            throw new Error(`${JSON.stringify(case_)} passed validation but failed to render: ${(error as Error).message}`);
          }
          let parsed: unknown;
          try {
            parsed = readFormat(format, rendered);
          } catch (error) {
            throw new Error(`${JSON.stringify(case_)} broke the ${format} file: ${(error as Error).message}\n${rendered}`);
          }
          const expected = substitute(plain, [marker!, b64(marker!)], [hostile, b64(hostile)]);
          expect({ ...case_, parsed }).toEqual({ ...case_, parsed: expected });
        }
      }
    }
  });
});

test('every embedded template is among those tested', () =>
  expect([...new Set(SHIPPED_VARIANTS.flatMap(templatesOf))].sort()).toEqual([...EMBEDDED_TEMPLATES.keys()].sort()));

test('the hostile values reach the files: most URL and free-text values are accepted and round-trip', () => {
  const accepted = (pattern: RegExp) => [...tallies].filter(([name]) => pattern.test(name)).reduce((sum, [, tally]) => sum + tally.accepted, 0);
  // Keys whose types admit arbitrary text must have been exercised, not only refused.
  for (const key of [/^motd settings\.motd/, /^updog-toml settings\.updates\.metadata-base-url/, /^updog-toml settings\.network\.no-proxy/, /^chrony-conf settings\.ntp\.time-servers/,
    /^kubelet-env settings\.kubernetes\.pod-infra-container-image/, /^kubelet-kubeconfig settings\.kubernetes\.api-server/, /^kubernetes-ca-crt/, /^host-containers-toml settings\.host-containers\.\*\.source/,
    /^containerd-config-toml_aws-k8s settings\.kubernetes\.pod-infra-container-image/, /^kubelet-config settings\.kubernetes\.cluster-domain/]) {
    expect({ key: key.source, some: accepted(key) > 10 }).toEqual({ key: key.source, some: true });
  }
  // Map keys were tried too: host-container names and node label keys.
  for (const name of ['host-containers-toml settings.host-containers (map key)', 'kubelet-env settings.kubernetes.node-labels (map key)']) {
    const tally = tallies.get(name);
    expect({ name, tried: (tally?.accepted ?? 0) + (tally?.refused ?? 0) }).toEqual({ name, tried: 160 * (name.startsWith('kubelet') ? SHIPPED_VARIANTS.filter(variant => variant.startsWith('aws-k8s-')).length : SHIPPED_VARIANTS.length) });
  }
});
