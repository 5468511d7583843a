// Bad input never changes state: each case answers its 4xx with a one-line message naming the
// key or parameter and the rule, and the datastore is byte-identical afterwards.
import { describe, expect, test } from 'bun:test';
import { startApiServer } from '../helpers/api-server';

interface Case {
  name: string;
  method?: string;
  uri?: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  message: string;
}

const patch = (name: string, body: string, status: number, message: string): Case => ({ name, body, status, message });

const CASES: Case[] = [
  patch('unknown top-level field', '{"foo":1}', 400, 'Json deserialize error: unknown field `foo`, expected one of `motd`'),
  patch('wrong type for a string', '{"motd":42}', 400, "invalid type: integer `42`, expected a string at key 'settings.motd'"),
  { name: 'text/plain content type', body: '{"motd":"x"}', headers: { 'content-type': 'text/plain' }, status: 400, message: 'Content type error' },
  { name: 'no content type', body: '{"motd":"x"}', headers: { 'content-type': '' }, status: 400, message: 'Content type error' },
  patch('empty body', '', 400, 'Json deserialize error: EOF while parsing a value at line 1 column 0'),
  patch('truncated JSON', '{"motd":', 400, 'EOF while parsing a value'),
  patch('trailing garbage', '{"motd":"a"} x', 400, 'trailing characters'),
  patch('an array instead of settings', '[]', 400, 'invalid type: sequence, expected struct Settings'),
  patch('a string instead of settings', '"x"', 400, 'invalid type: string "x", expected struct Settings'),
  patch('section of another variant', '{"ecs":{"cluster":"x"}}', 400, 'unknown field `ecs`'),
  patch('unknown nested field', '{"kubernetes":{"cluster-name":"prod","bogus":1}}', 400, "unknown field `bogus`, expected one of `cluster-name`"),
  patch('cluster name', '{"kubernetes":{"cluster-name":"-bad"}}', 400, "Unable to deserialize into KubernetesClusterName: Given invalid cluster name '-bad': cluster names must be valid Kubernetes label values"),
  patch('empty cluster name', '{"kubernetes":{"cluster-name":""}}', 400, 'must not be empty'),
  patch('label key', '{"kubernetes":{"node-labels":{"bad key!":"v"}}}', 400, "Invalid Kubernetes label key 'bad key!'"),
  patch('label value', '{"kubernetes":{"node-labels":{"app":"-v"}}}', 400, "Invalid Kubernetes label value '-v' at key 'settings.kubernetes.node-labels.app'"),
  patch('taint without effect', '{"kubernetes":{"node-taints":{"dedicated":"gpu:"}}}', 400, "Invalid Kubernetes taint value 'gpu:'"),
  patch('API server URL', '{"kubernetes":{"api-server":"how are you"}}', 400, 'Unable to deserialize into Url: not a valid URL'),
  patch('cluster domain is an IPv4 address', '{"kubernetes":{"cluster-domain":"123.123.123.123"}}', 400, 'DNSDomain: must not be an IPv4 address'),
  patch('cluster domain with a slash', '{"kubernetes":{"cluster-domain":"foo/com"}}', 400, 'DNSDomain: not a valid host name'),
  patch('negative max-pods', '{"kubernetes":{"max-pods":-1}}', 400, 'invalid value: integer `-1`, expected u32'),
  patch('max-pods written as a float', '{"kubernetes":{"max-pods":1.0}}', 400, 'invalid type: floating point `1.0`, expected u32'),
  patch('node IP', '{"kubernetes":{"node-ip":"10.0.0.256"}}', 400, 'Ipv4Addr: invalid IPv4 address syntax'),
  patch('certificate not base64', '{"kubernetes":{"cluster-certificate":"not base64!"}}', 400, 'ValidBase64: not valid base64'),
  patch('seed out of range', '{"updates":{"seed":2048}}', 400, "expected u32 in 0..=2047 at key 'settings.updates.seed'"),
  patch('version lock', '{"updates":{"version-lock":"1.0"}}', 400, "FriendlyVersion: must be 'latest' or a semantic version"),
  patch('boolean as a string', '{"updates":{"ignore-waves":"true"}}', 400, 'invalid type: string "true", expected a boolean'),
  patch('list as a string', '{"ntp":{"time-servers":"a"}}', 400, 'invalid type: string "a", expected a sequence'),
  patch('time server URL', '{"ntp":{"time-servers":["ok.example","weird@"]}}', 400, "Url: not a valid URL at key 'settings.ntp.time-servers.1'"),
  patch('host-container name', '{"host-containers":{"ad min":{"enabled":true}}}', 400, 'Unable to deserialize into Identifier'),
  patch('empty host-container name', '{"host-containers":{"":{"enabled":true}}}', 400, "Error serializing Settings: map key '' cannot be a datastore key segment"),
  patch('unknown host-container field', '{"host-containers":{"admin":{"enabled":true,"extra":1}}}', 400, 'unknown field `extra`'),
  patch('line break in a single-line string', '{"aws":{"region":"us-west-2\\n"}}', 400, 'SingleLineString: contains a line terminator'),
  patch('empty boot-health command', '{"boot-health":{"checks":{"api":{"command":[]}}}}', 400, "invalid length 0, expected at least 1 element at key 'settings.boot-health.checks.api.command'"),
  patch('boot-health command as a string', '{"boot-health":{"checks":{"api":{"command":"/bin/true"}}}}', 400, 'expected a sequence'),
  patch('boot-health timeout 0', '{"boot-health":{"checks":{"api":{"command":["/bin/true"],"timeout-seconds":0}}}}', 400, "expected an integer in 1..=3600 at key 'settings.boot-health.checks.api.timeout-seconds'"),
  patch('boot-health timeout over an hour', '{"boot-health":{"checks":{"api":{"timeout-seconds":3601}}}}', 400, 'expected an integer in 1..=3600'),
  patch('boot-health window 0', '{"boot-health":{"window-seconds":0}}', 400, "expected an integer in 1..=3600 at key 'settings.boot-health.window-seconds'"),
  patch('unknown boot-health check field', '{"boot-health":{"checks":{"api":{"command":["/bin/true"],"shell":true}}}}', 400, 'unknown field `shell`, expected one of `command`, `timeout-seconds`'),
  patch('boot-health check name', '{"boot-health":{"checks":{"a.b":{"command":["/bin/true"]}}}}', 400, 'Unable to deserialize into Identifier'),
  patch('a field named like an object member: constructor', '{"constructor":{}}', 400, 'Json deserialize error: unknown field `constructor`, expected one of `motd`'),
  patch('a field named like an object member: toString', '{"toString":"x"}', 400, 'unknown field `toString`'),
  patch('a field named like an object member: __proto__', '{"__proto__":{"motd":"x"}}', 400, 'unknown field `__proto__`'),
  patch('a nested field named like an object member', '{"kubernetes":{"hasOwnProperty":1}}', 400, "unknown field `hasOwnProperty`, expected one of `cluster-name`"),
  patch('a nested __proto__ field', '{"updates":{"__proto__":{"seed":1}}}', 400, 'unknown field `__proto__`'),
  { name: 'keypair named like an object member', uri: '/settings/keypair', body: '{"request_payload":["constructor=1"]}', status: 400, message: 'unknown field `constructor`' },
  patch('a byte order mark', '\uFEFF{"motd":"x"}', 400, 'Json deserialize error: expected value at line 1 column 1'),
  patch('a duplicate field', '{"motd":"a","motd":"b"}', 400, 'Json deserialize error: duplicate field `motd` at line 1 column 18'),
  patch('a duplicate nested field', '{"updates":{"seed":1,"seed":2}}', 400, 'duplicate field `seed`'),
  patch('a duplicate map key', '{"kubernetes":{"node-labels":{"a":"1","a":"2"}}}', 400, 'duplicate field `a`'),
  patch('a lone high surrogate', '{"motd":"\\ud800"}', 400, 'Json deserialize error: unexpected end of hex escape'),
  patch('a high surrogate followed by another escape', '{"motd":"\\ud800\\u0041"}', 400, 'lone leading surrogate in hex escape'),
  patch('a lone low surrogate', '{"motd":"x\\udc00"}', 400, 'lone leading surrogate in hex escape'),
  { name: 'a subtree named in keys', method: 'GET', uri: '/settings?keys=settings.updates', status: 400, message: "Unable to read 'settings.updates': it is a group of settings, not a single value (use prefix for a subtree)" },
  { name: 'body over 2 MiB', body: JSON.stringify({ motd: 'x'.repeat(2 * 1024 * 1024) }), status: 413, message: 'Payload too large' },
  { name: 'empty tx', uri: '/settings?tx=', body: '{"motd":"x"}', status: 400, message: "Input 'tx' cannot be empty" },
  { name: 'tx name too long', uri: `/settings?tx=${'t'.repeat(300)}`, body: '{"motd":"x"}', status: 400, message: "Input 'tx' is too long" },
  { name: 'empty keys', method: 'GET', uri: '/settings?keys=', status: 400, message: "Input 'keys' cannot be empty" },
  { name: 'invalid key', method: 'GET', uri: '/settings?keys=settings.mo!d', status: 400, message: "Unable to make data key 'settings.mo!d': Key name 'settings.mo!d' has invalid format: invalid character in key: '!'" },
  { name: 'empty key segment', method: 'GET', uri: '/metadata/templates?keys=settings..motd', status: 400, message: 'empty key segment' },
  { name: 'empty prefix', method: 'GET', uri: '/settings?prefix=', status: 400, message: "Input 'prefix' cannot be empty" },
  { name: 'missing keys', method: 'GET', uri: '/metadata/affected-services', status: 400, message: "Missing required input 'keys'" },
  { name: 'empty names', method: 'GET', uri: '/services?names=', status: 400, message: "Input 'names' cannot be empty" },
  { name: 'empty apply keys', method: 'POST', uri: '/tx/apply?keys=', status: 400, message: "Input 'keys' cannot be empty" },
  { name: 'commit of nothing', method: 'POST', uri: '/tx/commit?tx=nope', status: 422, message: 'Tried to commit with no pending changes' },
  { name: 'delete without keys', method: 'DELETE', uri: '/settings', status: 400, message: "Missing required input 'keys'" },
  { name: 'delete outside settings', method: 'DELETE', uri: '/settings?keys=services.motd.restart-commands', status: 400, message: "only keys under 'settings.' can be removed" },
  { name: 'delete an unset key', method: 'DELETE', uri: '/settings?keys=settings.kubernetes.cluster-name', status: 404, message: "Found no 'settings.kubernetes.cluster-name' in datastore" },
];

describe('bad input', () => {
  test(`${CASES.length} cases: status, message, unchanged datastore`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    await using api = await startApiServer({ variant: 'aws-k8s-1.17' });
    const before = api.datastoreHash();
    for (const c of CASES) {
      const reply = await api.request(c.method ?? 'PATCH', c.uri ?? '/settings', c.body, c.headers);
      const hash = api.datastoreHash();
      expect({ case: c.name, status: reply.status, message: reply.body.includes(c.message) ? c.message : reply.body, oneLine: !reply.body.includes('\n'), unchanged: hash === before }).toEqual({
        case: c.name,
        status: c.status,
        message: c.message,
        oneLine: true,
        unchanged: true,
      });
      expect(reply.contentType).toBe('text/plain; charset=utf-8');
    }
    expect(await api.json('/tx/list')).toEqual([]);
  });
});
