// The validated string types of the settings model (settings.md section 2). Each is a TypeBox
// string schema named by `x-brkt-type` (with a `pattern` where a regex says it all) plus a check
// that gives the reason a value fails. Mirrors upstream's modeled_types.
import { Type, type SchemaOptions, type TString } from '@sinclair/typebox';

export type ValueCheck = (value: string) => string | undefined;

/** Checks by type name; `validate.ts` runs the one named by a schema's `x-brkt-type`. */
export const CHECKS = new Map<string, ValueCheck>();

function modeled(name: string, check: ValueCheck, options: SchemaOptions & { pattern?: string } = {}): TString {
  CHECKS.set(name, check);
  return Type.String({ ...options, 'x-brkt-type': name });
}

const LINE_TERMINATORS = /[\n\r\u000b\u000c\u0085\u2028\u2029]/;
const LABEL_VALUE = '[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?';
const LABEL_VALUE_RE = new RegExp(`^(${LABEL_VALUE})?$`);
const LABEL_KEY_RE = new RegExp(`^([A-Za-z0-9.-]{1,253}\\/)?${LABEL_VALUE}$`);
// v1.1 form (settings.md): the value part is optional; any 1-253 alphanumerics are an effect.
const TAINT_VALUE_RE = new RegExp(`^(${LABEL_VALUE})?:[A-Za-z0-9]{1,253}$`);
const ECS_ATTRIBUTE_KEY_RE = /^[a-zA-Z0-9._\/-]{1,128}$/;
const ECS_ATTRIBUTE_VALUE_RE = /^[a-zA-Z0-9.@:_\/\\-]([a-zA-Z0-9.@: _\/\\-]{0,126}[a-zA-Z0-9.@:_\/\\-])?$/;
const SEMVER_RE = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const FORBIDDEN_HOST = /[\u0000\t\n\r #%/:<>?@[\\\]^|]/;
const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

// The URL parser drops tabs and newlines and percent-encodes spaces, so such a value passed the
// check and then reached a file raw (a newline in an NTP server became a chrony directive). brkt
// refuses whitespace, control and format characters (bidirectional overrides, zero-width) in URLs
// and host names; upstream accepts them.
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}\p{Cf}]/u;
const WHITESPACE_OR_CONTROL_REASON = 'must not contain whitespace, control or format characters';

const parsesAsUrl = (text: string) => {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
};

/** WHATWG IPv4 host parsing accepts decimal, octal (0...) and hex (0x...) parts, 1 to 4 of them. */
function isWhatwgIpv4(host: string): boolean {
  const parts = host.replace(/\.$/, '').split('.');
  if (parts.length > 4 || !/^(0x[0-9a-f]*|\d+)$/i.test(parts[parts.length - 1]!)) return false;
  return parts.every(part => /^(0x[0-9a-f]*|0[0-7]*|[1-9]\d*)$/i.test(part));
}

export const SingleLineString = modeled('SingleLineString', v => (LINE_TERMINATORS.test(v) ? 'contains a line terminator' : undefined), {
  description: 'A string without line breaks',
});
export const ValidBase64 = modeled('ValidBase64', v => (BASE64_RE.test(v) ? undefined : 'not valid base64'), {
  description: 'Base64 text (standard alphabet, = padding)',
  pattern: BASE64_RE.source,
});
export const Identifier = modeled('Identifier', v => (/^[A-Za-z0-9-]*$/.test(v) ? undefined : 'only A-Z a-z 0-9 and - are allowed'), {
  pattern: '^[A-Za-z0-9-]*$',
});
export const Url = modeled('Url', v => {
  if (!parsesAsUrl(v) && !parsesAsUrl(`http://${v}`)) return 'not a valid URL';
  return WHITESPACE_OR_CONTROL.test(v) ? WHITESPACE_OR_CONTROL_REASON : undefined;
}, {
  description: 'An absolute URL, or a host[/path] that becomes one with http://',
});
export const FriendlyVersion = modeled('FriendlyVersion', v => (v === 'latest' || SEMVER_RE.test(v) ? undefined : "must be 'latest' or a semantic version like 1.0.5 or v1.0.5"), {
  description: "'latest' or a semantic version (optional leading v)",
});
export const DNSDomain = modeled('DNSDomain', v => {
  if (v === '') return 'must not be empty';
  if (v.startsWith('.')) return 'must not start with .';
  if (v.startsWith('[')) return 'must not be an IPv6 address';
  if (FORBIDDEN_HOST.test(v) || !parsesAsUrl(`http://${v}/`)) return 'not a valid host name';
  if (WHITESPACE_OR_CONTROL.test(v)) return WHITESPACE_OR_CONTROL_REASON;
  if (isWhatwgIpv4(v)) return 'must not be an IPv4 address';
  return undefined;
});
export const KubernetesClusterName = modeled('KubernetesClusterName', v => {
  if (v === '') return `Given invalid cluster name '${v}': must not be empty`;
  return LABEL_VALUE_RE.test(v) ? undefined : `Given invalid cluster name '${v}': cluster names must be valid Kubernetes label values`;
}, { pattern: `^${LABEL_VALUE}$` });
export const KubernetesLabelKey = modeled('KubernetesLabelKey', v => (LABEL_KEY_RE.test(v) ? undefined : `Invalid Kubernetes label key '${v}'`), {
  pattern: LABEL_KEY_RE.source,
});
export const KubernetesLabelValue = modeled('KubernetesLabelValue', v => (LABEL_VALUE_RE.test(v) ? undefined : `Invalid Kubernetes label value '${v}'`), {
  pattern: LABEL_VALUE_RE.source,
});
export const KubernetesTaintValue = modeled('KubernetesTaintValue', v => (TAINT_VALUE_RE.test(v) ? undefined : `Invalid Kubernetes taint value '${v}': expected value:Effect`), {
  pattern: TAINT_VALUE_RE.source,
});
export const ECSAttributeKey = modeled('ECSAttributeKey', v => (ECS_ATTRIBUTE_KEY_RE.test(v) ? undefined : `Invalid ECS attribute key '${v}'`), {
  pattern: ECS_ATTRIBUTE_KEY_RE.source,
});
export const ECSAttributeValue = modeled('ECSAttributeValue', v => (ECS_ATTRIBUTE_VALUE_RE.test(v) ? undefined : `Invalid ECS attribute value '${v}'`), {
  pattern: ECS_ATTRIBUTE_VALUE_RE.source,
});
export const ECSAgentLogLevel = modeled('ECSAgentLogLevel', v => (['debug', 'info', 'warn', 'error', 'crit'].includes(v) ? undefined : `Invalid ECS log level '${v}': expected debug, info, warn, error or crit`), {
  enum: ['debug', 'info', 'warn', 'error', 'crit'],
});
export const Ipv4Addr = modeled('Ipv4Addr', v => (IPV4_RE.test(v) ? undefined : `invalid IPv4 address syntax`), { pattern: IPV4_RE.source });
export const IpAddr = modeled('IpAddr', v => (IPV4_RE.test(v) || (v.includes(':') && !WHITESPACE_OR_CONTROL.test(v) && parsesAsUrl(`http://[${v}]/`)) ? undefined : 'invalid IP address syntax'));
export const ValidLinuxHostname = modeled('ValidLinuxHostname', v => (HOSTNAME_RE.test(v) ? undefined : `Invalid hostname '${v}'`), { pattern: HOSTNAME_RE.source });
export const SysctlKey = modeled('SysctlKey', v => (/^[a-zA-Z0-9.\/_-]{1,128}$/.test(v) ? undefined : `Invalid sysctl key '${v}'`), {
  pattern: '^[a-zA-Z0-9./_-]{1,128}$',
});
export const Lockdown = modeled('Lockdown', v => (['none', 'integrity', 'confidentiality'].includes(v) ? undefined : `Invalid lockdown mode '${v}': expected none, integrity or confidentiality`), {
  enum: ['none', 'integrity', 'confidentiality'],
});
export const BootstrapContainerMode = modeled('BootstrapContainerMode', v => (['off', 'once', 'always'].includes(v) ? undefined : `Invalid bootstrap container mode '${v}': expected off, once or always`), {
  enum: ['off', 'once', 'always'],
});
