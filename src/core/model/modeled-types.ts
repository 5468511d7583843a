// The validated string types of the settings model (settings.md section 2). Each is a TypeBox
// string schema named by `x-brkt-type` (with a `pattern` where a regex says it all) plus a check
// that gives the reason a value fails. Mirrors upstream's modeled_types.
import { X509Certificate } from 'node:crypto';
import { Type, type SchemaOptions, type TString } from '@sinclair/typebox';

/** Kebab-case names of the Linux capabilities (CAP_* lowercased), as oci-defaults takes them. */
export const OCI_CAPABILITIES = ['audit-control', 'audit-read', 'audit-write', 'block-suspend', 'bpf', 'checkpoint-restore', 'chown', 'dac-override',
  'dac-read-search', 'fowner', 'fsetid', 'ipc-lock', 'ipc-owner', 'kill', 'lease', 'linux-immutable', 'mac-admin', 'mac-override', 'mknod',
  'net-admin', 'net-bind-service', 'net-broadcast', 'net-raw', 'perfmon', 'setfcap', 'setgid', 'setpcap', 'setuid', 'sys-admin', 'sys-boot',
  'sys-chroot', 'sys-module', 'sys-nice', 'sys-pacct', 'sys-ptrace', 'sys-rawio', 'sys-resource', 'sys-time', 'sys-tty-config', 'syslog', 'wake-alarm'];
/** oci-defaults resource limits and the RLIMIT_* each stands for. */
export const OCI_RLIMIT_NAMES: Record<string, string> = {
  'max-address-space': 'RLIMIT_AS', 'max-core-file-size': 'RLIMIT_CORE', 'max-cpu-time': 'RLIMIT_CPU', 'max-data-size': 'RLIMIT_DATA',
  'max-file-locks': 'RLIMIT_LOCKS', 'max-file-size': 'RLIMIT_FSIZE', 'max-locked-memory': 'RLIMIT_MEMLOCK', 'max-msgqueue-size': 'RLIMIT_MSGQUEUE',
  'max-nice-priority': 'RLIMIT_NICE', 'max-open-files': 'RLIMIT_NOFILE', 'max-pending-signals': 'RLIMIT_SIGPENDING', 'max-processes': 'RLIMIT_NPROC',
  'max-realtime-priority': 'RLIMIT_RTPRIO', 'max-realtime-timeout': 'RLIMIT_RTTIME', 'max-resident-set': 'RLIMIT_RSS', 'max-stack-size': 'RLIMIT_STACK',
};
const OCI_RLIMITS = Object.keys(OCI_RLIMIT_NAMES);

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
// Later upstream caps an Identifier at 76 characters (a host container's name becomes part of
// unit and directory names).
export const Identifier = modeled('Identifier', v => {
  if (!/^[A-Za-z0-9-]*$/.test(v)) return 'only A-Z a-z 0-9 and - are allowed';
  return v.length > 76 ? `'${v}' is longer than 76 characters` : undefined;
}, { pattern: '^[A-Za-z0-9-]{0,76}$' });
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
/** Current upstream's rule for settings.network.hostname and dns.search-list (settings-now.md 5.3). */
export function hostnameReason(v: string): string | undefined {
  if (!/^[0-9a-z.-]{1,253}$/.test(v)) return `Invalid hostname '${v}': 1 to 253 of 0-9 a-z . -`;
  if (v.startsWith('-') || v.startsWith('.')) return `Invalid hostname '${v}': must not start with - or .`;
  if (v.split('.').some(label => label.length < 1 || label.length > 63 || label.startsWith('-'))) {
    return `Invalid hostname '${v}': every label must be 1 to 63 characters, not starting with -`;
  }
  return undefined;
}
export const EtcHostname = modeled('EtcHostname', hostnameReason);
export const SysctlKey = modeled('SysctlKey', v => {
  if (!/^[a-zA-Z0-9.\/_-]{1,128}$/.test(v)) return `Invalid sysctl key '${v}'`;
  // The key becomes a path under /proc/sys: no way out of it.
  if (v.includes('..') || v.startsWith('.') || v.startsWith('/')) return `Invalid sysctl key '${v}': must not contain .. or start with . or /`;
  return undefined;
}, { pattern: '^[a-zA-Z0-9./_-]{1,128}$' });
// brkt: a sysctl value is written on one line of sysctl.d; upstream takes any string, so a line
// break there would add a sysctl of the value's choosing.
// systemd-sysctl trims the value, so brkt refuses surrounding whitespace rather than store a value
// other than the one applied.
export const SysctlValue = modeled('SysctlValue', v => {
  if (/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(v)) return `Invalid sysctl value ${JSON.stringify(v)}: must be one line without control or format characters`;
  return v.trim() === v ? undefined : `Invalid sysctl value ${JSON.stringify(v)}: must not start or end with whitespace`;
});
export const KmodKey = modeled('KmodKey', v => (/^[a-zA-Z0-9_-]{1,56}$/.test(v) ? undefined : `Invalid kernel module name '${v}': 1 to 56 of A-Z a-z 0-9 _ -`), {
  pattern: '^[a-zA-Z0-9_-]{1,56}$',
});
export const HugepagesSize = modeled('HugepagesSize', v => {
  const match = /^([1-9][0-9]*)(Ki|Mi|Gi|Ti)$/.exec(v);
  if (!match) return `Invalid hugepages size '${v}': expected a number and Ki, Mi, Gi or Ti`;
  const n = BigInt(match[1]!);
  return (n & (n - 1n)) === 0n ? undefined : `Invalid hugepages size '${v}': not a power of two`;
});
export const HugepagesCount = modeled('HugepagesCount', v => (/^(?:[0-9]+|[0-9]+:[0-9]+(?:,[0-9]+:[0-9]+)*)$/.test(v) ? undefined : `Invalid hugepages count '${v}'`));
export const BootConfigKey = modeled('BootConfigKey', v => (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(v) ? undefined : `Invalid boot config key '${v}': dot-separated words of A-Z a-z 0-9 _ -`));
export const BootConfigValue = modeled('BootConfigValue', v => {
  if (!/^[\x20-\x7e]*$/.test(v)) return `Invalid boot config value '${v}': only printable ASCII`;
  return v.includes("'") && v.includes('"') ? `Invalid boot config value '${v}': cannot hold both ' and "` : undefined;
});
export const OciCapability = modeled('OciCapability', v => (OCI_CAPABILITIES.includes(v) ? undefined : `Invalid capability '${v}'`), { enum: OCI_CAPABILITIES });
export const OciRlimitType = modeled('OciRlimitType', v => (OCI_RLIMITS.includes(v) ? undefined : `Invalid resource limit '${v}'`), { enum: OCI_RLIMITS });
export const Lockdown = modeled('Lockdown', v => (['none', 'integrity', 'confidentiality'].includes(v) ? undefined : `Invalid lockdown mode '${v}': expected none, integrity or confidentiality`), {
  enum: ['none', 'integrity', 'confidentiality'],
});
export const BootstrapContainerMode = modeled('BootstrapContainerMode', v => (['off', 'once', 'always'].includes(v) ? undefined : `Invalid bootstrap container mode '${v}': expected off, once or always`), {
  enum: ['off', 'once', 'always'],
});

/** The certificates of a PEM bundle, DER bytes each, in order. */
export function pemCertificates(text: string): Uint8Array[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map(block => Buffer.from(block.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64'));
}

/** pki data (settings-now.md 5.3): base64 of a PEM bundle with at least one X.509 certificate that parses, or blank. */
export const PemCertificateString = modeled('PemCertificateString', v => {
  if (v.trim() === '') return undefined;
  if (!BASE64_RE.test(v)) return 'not valid base64';
  const text = Buffer.from(v, 'base64').toString('utf8');
  const certificates = pemCertificates(text);
  if (certificates.length === 0) return 'no PEM certificate in the bundle';
  for (const der of certificates) {
    try {
      new X509Certificate(der);
    } catch (error) {
      return `a certificate of the bundle does not parse: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return undefined;
});

/**
 * Checks of values that are not plain strings, by `x-brkt-type`: a reason when the value fails,
 * else the value to store (normalised).
 */
export type ValueNormaliser = (value: unknown) => { reason: string } | { value: unknown };
export const VALUE_CHECKS = new Map<string, ValueNormaliser>();

const MAX_I64 = 2n ** 63n - 1n;
/** An rlimit: an integer in -1..2^63-1 or "unlimited" (stored as -1). */
VALUE_CHECKS.set('RlimitValue', value => {
  if (value === 'unlimited') return { value: -1 };
  if (typeof value === 'number' && Number.isInteger(value) && value >= -1 && BigInt(value) <= MAX_I64) return { value };
  return { reason: `expected an integer in -1..=${MAX_I64} or "unlimited", got ${JSON.stringify(value)}` };
});
/** A bootstrap command: apiclient and its arguments. */
VALUE_CHECKS.set('ApiclientCommand', value => {
  if (!Array.isArray(value) || value.length === 0 || value[0] !== 'apiclient') {
    return { reason: `command must start with 'apiclient', got ${JSON.stringify(value)}` };
  }
  return { value };
});
/** kernel.hugepages.static: `essential` (bool) and page sizes -> `{count}`. */
VALUE_CHECKS.set('StaticHugepages', value => {
  const table = value as Record<string, unknown>;
  for (const [name, item] of Object.entries(table)) {
    if (name === 'essential') {
      if (typeof item !== 'boolean') return { reason: `essential must be a boolean` };
      continue;
    }
    const reason = CHECKS.get('HugepagesSize')!(name);
    if (reason) return { reason };
    const fields = item !== null && typeof item === 'object' && !Array.isArray(item) ? Object.keys(item) : undefined;
    if (!fields || fields.some(field => field !== 'count')) return { reason: `hugepages ${name} must be a table with only count` };
    const count = (item as { count?: unknown }).count;
    if (count !== undefined && (typeof count !== 'string' || CHECKS.get('HugepagesCount')!(count))) return { reason: `Invalid hugepages count ${JSON.stringify(count)} for ${name}` };
  }
  return { value };
});
