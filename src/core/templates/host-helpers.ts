// Helpers that write whole host configuration files of current upstream (settings-now.md 5.2)
// from already validated settings: each builds the file's syntax itself, so a value can only ever
// be one value of it (one sysctl, one module name, one JSON string). Output is never escaped again.
import Handlebars from 'handlebars';
import { OCI_RLIMIT_NAMES, pemCertificates } from '../model/modeled-types';

type Table = Record<string, unknown>;

const raw = (text: string) => new Handlebars.SafeString(text);
const isTable = (value: unknown): value is Table => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The single argument of a helper; a missing setting is `null`. */
function argument(name: string, args: unknown[]): unknown {
  if (args.length !== 2) throw new Error(`Helper '${name}' expects 1 parameter, got ${args.length - 1}`);
  return args[0] ?? null;
}

function tableArgument(name: string, args: unknown[]): Table {
  const value = argument(name, args);
  if (value === null) return {};
  if (!isTable(value)) throw new Error(`Helper '${name}' needs a map`);
  return value;
}

// A line of these files ends at any line terminator; controls have no meaning in them.
const ONE_LINE = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]*$/u;
function oneLine(what: string, value: unknown): string {
  if (typeof value !== 'string' || !ONE_LINE.test(value)) throw new Error(`Cannot write ${JSON.stringify(value)} as ${what}: it must be one line of text`);
  return value;
}

/** corndog's /etc/sysctl.d/95-corndog.conf: `-key = value`, the dash makes an unknown key non-fatal. */
function sysctlConf(...args: unknown[]) {
  const sysctl = tableArgument('sysctl_conf', args);
  return raw(Object.keys(sysctl).sort().map(key => `-${oneLine('a sysctl key', key)} = ${oneLine('a sysctl value', sysctl[key]).trim()}\n`).join(''));
}

/** modprobe.d: a module that is not allowed is blacklisted and cannot be installed by name either. */
function modprobeConf(...args: unknown[]) {
  const modules = tableArgument('modprobe_conf', args);
  return raw(Object.keys(modules).sort().filter(name => isTable(modules[name]) && (modules[name] as Table).allowed === false)
    .map(name => `blacklist ${oneLine('a module name', name)}\ninstall ${name} /bin/true\n`).join(''));
}

/** modules-load.d: the modules to load at boot, one a line. */
function modulesLoadConf(...args: unknown[]) {
  const modules = tableArgument('modules_load_conf', args);
  return raw(Object.keys(modules).sort().filter(name => isTable(modules[name]) && (modules[name] as Table).autoload === true)
    .map(name => `${oneLine('a module name', name)}\n`).join(''));
}

/** resolv.conf from settings.dns: `nameserver` lines, then one `search` line. */
function resolvConf(...args: unknown[]) {
  const dns = tableArgument('resolv_conf', args);
  const servers = (dns['name-servers'] as unknown[] | undefined) ?? [];
  const search = (dns['search-list'] as unknown[] | undefined) ?? [];
  const words = (what: string, list: unknown[]) => list.map(item => {
    const text = oneLine(what, item);
    if (text === '' || /\s/.test(text)) throw new Error(`Cannot write ${JSON.stringify(text)} as ${what}: it must be one word`);
    return text;
  });
  let out = words('a name server', servers).map(server => `nameserver ${server}\n`).join('');
  if (search.length) out += `search ${words('a search domain', search).join(' ')}\n`;
  return raw(out);
}

/** The certificates of the trusted pki bundles, each re-encoded as PEM (text around them dropped). */
function pemBundle(...args: unknown[]) {
  const pki = tableArgument('pem_bundle', args);
  const out: string[] = [];
  for (const name of Object.keys(pki).sort()) {
    const entry = pki[name];
    if (!isTable(entry) || entry.trusted === false || typeof entry.data !== 'string' || entry.data.trim() === '') continue;
    for (const der of pemCertificates(Buffer.from(entry.data, 'base64').toString('utf8'))) {
      const body = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
      out.push(`# settings.pki.${name}\n-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`);
    }
  }
  return raw(out.join(''));
}

const DEFAULT_CAPABILITIES = ['audit-write', 'chown', 'dac-override', 'fowner', 'fsetid', 'kill', 'mknod', 'net-bind-service', 'net-raw', 'setfcap', 'setgid', 'setpcap', 'setuid', 'sys-chroot'];
const RLIMIT_UNLIMITED = '18446744073709551615';

/**
 * containerd's base OCI spec for workload containers (`/etc/containerd/cri-base.json`): the
 * capabilities switched on, and the resource limits (-1 is unlimited, as RLIM_INFINITY).
 */
function criBaseJson(...args: unknown[]) {
  const defaults = tableArgument('cri_base_json', args);
  const capabilities = isTable(defaults.capabilities) ? defaults.capabilities : Object.fromEntries(DEFAULT_CAPABILITIES.map(name => [name, true]));
  const caps = Object.keys(capabilities).sort().filter(name => capabilities[name] === true)
    .map(name => `CAP_${name.replaceAll('-', '_').toUpperCase()}`);
  const limits = isTable(defaults['resource-limits']) ? defaults['resource-limits'] : {};
  const limitText = (value: unknown) => (value === -1 ? RLIMIT_UNLIMITED : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : (() => {
    throw new Error(`Cannot write the resource limit ${JSON.stringify(value)}`);
  })());
  const rlimits = Object.keys(limits).sort().map(name => {
    const limit = limits[name] as Table;
    const type = OCI_RLIMIT_NAMES[name];
    if (!type) throw new Error(`Unknown resource limit ${JSON.stringify(name)}`);
    return `{"type":"${type}","hard":${limitText(limit['hard-limit'] ?? -1)},"soft":${limitText(limit['soft-limit'] ?? -1)}}`;
  });
  const capList = JSON.stringify(caps);
  return raw(`{"ociVersion":"1.1.0","process":{"user":{"uid":0,"gid":0},"cwd":"/","capabilities":{"bounding":${capList},"effective":${capList},"permitted":${capList}},"rlimits":[${rlimits.join(',')}],"noNewPrivileges":false},"root":{"path":"rootfs"},"linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network"}]}}\n`);
}

/** A bootconfig value: double quotes, or single ones when it holds a double quote (the model refuses both). */
function bootValue(value: unknown): string {
  const text = oneLine('a boot parameter value', value);
  if (!/^[\x20-\x7e]*$/.test(text) || (text.includes('"') && text.includes("'"))) throw new Error(`Cannot write ${JSON.stringify(text)} as a boot parameter value`);
  return text.includes('"') ? `'${text}'` : `"${text}"`;
}

/**
 * The text form of upstream's bootconfig data: `kernel.<key> = "v1", "v2"` and
 * `init.<key> = ...`, keys sorted so the file only changes when the settings do.
 */
function bootconfig(...args: unknown[]) {
  const boot = tableArgument('bootconfig', args);
  const lines: string[] = [];
  for (const [section, field] of [['kernel', 'kernel-parameters'], ['init', 'init-parameters']] as const) {
    const parameters = isTable(boot[field]) ? boot[field] : {};
    for (const key of Object.keys(parameters).sort()) {
      if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(key)) throw new Error(`Cannot write ${JSON.stringify(key)} as a boot parameter key`);
      const values = parameters[key] as unknown[];
      lines.push(values.length ? `${section}.${key} = ${values.map(bootValue).join(', ')}\n` : `${section}.${key}\n`);
    }
  }
  return raw(lines.join(''));
}

/** `{{{{file-content}}}}...{{{{/file-content}}}}`: the text of a file the template includes, as it is. */
function fileContent(this: unknown, options: { fn(context: unknown): string }) {
  return raw(options.fn(this));
}

export const HOST_FILE_HELPERS = {
  'file-content': fileContent,
  sysctl_conf: sysctlConf,
  modprobe_conf: modprobeConf,
  modules_load_conf: modulesLoadConf,
  resolv_conf: resolvConf,
  pem_bundle: pemBundle,
  cri_base_json: criBaseJson,
  bootconfig,
};
