// Every path of both upstream openapi.yaml files that the server covers is called, and each
// response is checked with ajv against the schema the file gives for that status.
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { startApiServer, type ApiFixture } from '../helpers/api-server';
import { settingsSchema } from '../../src/core/model/settings';
import { UPSTREAM_FIXTURES } from '../helpers/fixtures';

const FIXTURES = UPSTREAM_FIXTURES;

type Json = Record<string, any>;

/** Paths the files list that belong to later work (updates, exec, reports, ephemeral storage, keypair). */
const NOT_COVERED = new Set([
  '/settings/keypair/',
  '/actions/reboot',
  '/actions/refresh-updates',
  '/actions/prepare-update',
  '/actions/activate-update',
  '/actions/deactivate-update',
  '/updates/status',
  '/exec',
  '/report',
  '/report/cis',
  '/report/fips',
  '/ephemeral-storage/init',
  '/ephemeral-storage/bind',
  '/ephemeral-storage/list-disks',
  '/ephemeral-storage/list-dirs',
]);

/**
 * Errata of upstream's file, each a mistake in the description rather than in the server:
 * - `Service` says a service maps names to string maps; every server since 2020 answers
 *   `{"configuration-files": [...], "restart-commands": [...]}` (api.md 4).
 * - `GET /tx` writes `$ref: #/components/schemas/Settings"` unquoted, which YAML reads as a
 *   comment, leaving `$ref: null`; it means Settings.
 * - `Settings.aws` indents its members one level too little: `properties:` is empty and
 *   `region`, `config`, ... sit beside it; they are its properties.
 */
function applyErrata(doc: Json) {
  const aws = doc.components?.schemas?.Settings?.properties?.aws;
  if (aws && aws.properties === null) {
    const { type, properties: _empty, ...members } = aws;
    doc.components.schemas.Settings.properties.aws = { type, properties: members };
  }
  if (doc.components?.schemas?.Service) {
    doc.components.schemas.Service = {
      type: 'object',
      properties: { 'configuration-files': { type: 'array', items: { type: 'string' } }, 'restart-commands': { type: 'array', items: { type: 'string' } } },
    };
  }
  const tx = doc.paths['/tx']?.get?.responses?.[200]?.content?.['application/json']?.schema;
  if (tx && tx.$ref === null) tx.$ref = '#/components/schemas/Settings';
}

/** Rewrites `#/components/schemas/X` (current file) and bare `X` (v1.0.0 file) to registered ids. */
function rewriteRefs(node: unknown, base: string): unknown {
  if (Array.isArray(node)) return node.map(item => rewriteRefs(item, base));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = `${base}/${value.replace('#/components/schemas/', '')}`;
    else out[key] = rewriteRefs(value, base);
  }
  return out;
}

interface Spec {
  name: string;
  doc: Json;
  validator(path: string, method: string, status: number): ValidateFunction | undefined;
}

function loadSpec(name: string, file: string, variant: string): Spec {
  const doc = parseYaml(readFileSync(join(FIXTURES, file), 'utf8')) as Json;
  applyErrata(doc);
  const base = `https://openapi.test/${name}`;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const current = parseYaml(readFileSync(join(FIXTURES, 'openapi.yaml'), 'utf8')) as Json;
  applyErrata(current);
  // The v1.0.0 file names schemas it never defines (they lived in the Rust model): Settings is
  // the model itself (what `brkt settings schema` prints); the others are today's definitions.
  const components: Json = doc.components?.schemas ?? {
    Settings: settingsSchema(variant),
    Services: current.components.schemas.Services,
    Service: current.components.schemas.Service,
    ConfigurationFiles: current.components.schemas.ConfigurationFiles,
    ConfigurationFileInfo: current.components.schemas.ConfigurationFileInfo,
    HashMap: current.components.schemas.HashMap,
  };
  for (const [id, schema] of Object.entries(components)) {
    const { $id: _ignored, ...rest } = JSON.parse(JSON.stringify(schema)) as Json;
    ajv.addSchema(rewriteRefs(rest, base) as Json, `${base}/${id}`);
  }
  return {
    name,
    doc,
    validator(path, method, status) {
      const response = doc.paths[path]?.[method]?.responses?.[status];
      if (response === undefined) throw new Error(`${name}: ${method.toUpperCase()} ${path} does not document status ${status}`);
      const schema = response.content?.['application/json']?.schema;
      return schema ? ajv.compile(rewriteRefs(schema, base) as Json) : undefined;
    },
  };
}

/** One call per operation, with the status it must answer (a documented success). */
const CALLS: Array<{ path: string; method: string; uri: string; status: number; body?: string; before?: (api: ApiFixture) => Promise<unknown> }> = [
  { path: '/', method: 'get', uri: '/', status: 200 },
  { path: '/', method: 'get', uri: '/?prefix=settings.kubernetes', status: 200 },
  { path: '/settings', method: 'get', uri: '/settings', status: 200 },
  { path: '/settings', method: 'get', uri: '/settings?keys=settings.motd,settings.ntp.time-servers', status: 200 },
  { path: '/settings', method: 'get', uri: '/settings?prefix=settings.host-containers', status: 200 },
  { path: '/settings', method: 'patch', uri: '/settings', status: 204, body: '{"motd":"openapi","kubernetes":{"node-labels":{"example.com/role":"web"}}}' },
  { path: '/tx', method: 'get', uri: '/tx', status: 200, before: api => api.request('PATCH', '/settings', '{"aws":{"region":"us-west-2"}}') },
  { path: '/tx', method: 'delete', uri: '/tx', status: 200, before: api => api.request('PATCH', '/settings', '{"motd":"gone"}') },
  { path: '/tx/list', method: 'get', uri: '/tx/list', status: 200, before: api => api.request('PATCH', '/settings?tx=other', '{"motd":"x"}') },
  { path: '/tx/commit', method: 'post', uri: '/tx/commit', status: 200, before: api => api.request('PATCH', '/settings', '{"motd":"committed"}') },
  { path: '/tx/apply', method: 'post', uri: '/tx/apply?keys=settings.motd', status: 204 },
  { path: '/tx/apply', method: 'post', uri: '/tx/apply', status: 204 },
  { path: '/tx/commit_and_apply', method: 'post', uri: '/tx/commit_and_apply', status: 200, before: api => api.request('PATCH', '/settings', '{"motd":"applied"}') },
  { path: '/os', method: 'get', uri: '/os', status: 200 },
  { path: '/os', method: 'get', uri: '/os?prefix=arch', status: 200 },
  { path: '/metadata/affected-services', method: 'get', uri: '/metadata/affected-services?keys=settings.motd,settings.kubernetes.max-pods', status: 200 },
  { path: '/metadata/setting-generators', method: 'get', uri: '/metadata/setting-generators', status: 200 },
  { path: '/metadata/templates', method: 'get', uri: '/metadata/templates?keys=settings.updates.metadata-base-url', status: 200 },
  { path: '/services', method: 'get', uri: '/services', status: 200 },
  { path: '/services', method: 'get', uri: '/services?names=motd,kubernetes', status: 200 },
  { path: '/services', method: 'get', uri: '/services?prefix=services.ntp', status: 200 },
  { path: '/configuration-files', method: 'get', uri: '/configuration-files', status: 200 },
  { path: '/configuration-files', method: 'get', uri: '/configuration-files?names=motd', status: 200 },
  { path: '/configuration-files', method: 'get', uri: '/configuration-files?prefix=configuration-files.kubelet', status: 200 },
];

const SPECS = [loadSpec('current', 'openapi.yaml', 'aws-k8s-1.17'), loadSpec('v1.0.0', 'openapi-v1.0.0/openapi.yaml', 'aws-k8s-1.17')];

describe.each(SPECS.map(spec => [spec.name, spec] as const))('openapi %s', (_name, spec) => {
  test('every path is either covered by a call below or belongs to later work', () => {
    const documented = Object.keys(spec.doc.paths);
    const called = new Set(CALLS.map(call => call.path));
    const uncovered = documented.filter(path => !called.has(path) && !NOT_COVERED.has(path));
    expect(uncovered).toEqual([]);
    // Every documented method of a covered path is called.
    for (const path of documented.filter(p => called.has(p))) {
      for (const method of Object.keys(spec.doc.paths[path])) {
        expect(CALLS.some(call => call.path === path && call.method === method)).toBe(true);
      }
    }
  });

  test('the validators do reject wrong shapes', () => {
    expect(spec.validator('/settings', 'get', 200)!({ motd: 42 })).toBe(false);
    expect(spec.validator('/tx/list', 'get', 200)!({ default: true })).toBe(false);
    expect(spec.validator('/services', 'get', 200)!({ motd: { 'configuration-files': 'motd' } })).toBe(false);
  });

  test('responses match the schemas of the file', async () => {
    await using api = await startApiServer({ variant: 'aws-k8s-1.17', applier: async () => undefined });
    await api.request('PATCH', '/settings', '{"kubernetes":{"cluster-name":"prod","node-labels":{"example.com/role":"web"},"max-pods":29},"aws":{"region":"us-west-2"}}');
    await api.request('POST', '/tx/commit');
    for (const call of CALLS) {
      if (!spec.doc.paths[call.path]) continue; // `/` is not in the v1.0.0 file
      await call.before?.(api);
      const reply = await api.request(call.method.toUpperCase(), call.uri, call.body);
      expect({ call: `${call.method} ${call.uri}`, status: reply.status }).toEqual({ call: `${call.method} ${call.uri}`, status: call.status });
      const validate = spec.validator(call.path, call.method, reply.status);
      if (reply.status === 204) expect(reply.body).toBe('');
      if (!validate) continue;
      expect(reply.contentType).toBe('application/json');
      const body = JSON.parse(reply.body);
      const ok = validate(body);
      expect({ call: `${call.method} ${call.uri}`, errors: ok ? null : validate.errors }).toEqual({ call: `${call.method} ${call.uri}`, errors: null });
    }
  });
});
