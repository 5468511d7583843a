// net.toml, the network configuration netdog reads at boot (settings-now.md 6): versions 1-3
// as upstream's netdog deserializes and validates them (net_config/{v1,v2,v3}.rs, devices/*).
// Shapes are TypeBox schemas; the rules across fields follow them.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isIP } from 'node:net';
import { BrktError, messageOf } from '../errors';

const U32 = Type.Integer({ minimum: 0, maximum: 0xffffffff });

const Dhcp4 = Type.Union([
  Type.Boolean(),
  Type.Object({ enabled: Type.Boolean(), optional: Type.Optional(Type.Boolean()), 'route-metric': Type.Optional(U32) }, { additionalProperties: false }),
]);
const Dhcp6 = Type.Union([
  Type.Boolean(),
  Type.Object({ enabled: Type.Boolean(), optional: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
]);
const StaticAddresses = Type.Object({ addresses: Type.Array(Type.String()) }, { additionalProperties: false });
const Route = Type.Object({
  to: Type.String(),
  from: Type.Optional(Type.String()),
  via: Type.Optional(Type.String()),
  'route-metric': Type.Optional(U32),
}, { additionalProperties: false });

/** v1: DHCP only. */
export const InterfaceV1 = Type.Object({
  primary: Type.Optional(Type.Boolean()),
  dhcp4: Type.Optional(Dhcp4),
  dhcp6: Type.Optional(Dhcp6),
}, { additionalProperties: false });

const addressing = {
  primary: Type.Optional(Type.Boolean()),
  dhcp4: Type.Optional(Dhcp4),
  dhcp6: Type.Optional(Dhcp6),
  static4: Type.Optional(StaticAddresses),
  static6: Type.Optional(StaticAddresses),
  route: Type.Optional(Type.Array(Route)),
  mtu: Type.Optional(U32),
};

/** v2 (and v3's plain interfaces): static addresses and routes too. */
export const InterfaceV2 = Type.Object(addressing, { additionalProperties: false });

const MiiMonitoring = Type.Object({
  'miimon-frequency-ms': U32,
  'miimon-updelay-ms': U32,
  'miimon-downdelay-ms': U32,
}, { additionalProperties: false });
const ArpMonitoring = Type.Object({
  'arpmon-interval-ms': U32,
  'arpmon-validate': Type.Union([Type.Literal('active'), Type.Literal('all'), Type.Literal('backup'), Type.Literal('none')]),
  'arpmon-targets': Type.Array(Type.String()),
}, { additionalProperties: false });

/** v3: a bond of interfaces (only active-backup, as upstream). */
export const BondV1 = Type.Object({
  ...addressing,
  kind: Type.Union([Type.Literal('bond'), Type.Literal('Bond')]),
  mode: Type.Literal('active-backup'),
  'min-links': Type.Optional(Type.Integer({ minimum: 0 })),
  monitoring: Type.Union([MiiMonitoring, ArpMonitoring]),
  interfaces: Type.Array(Type.String()),
}, { additionalProperties: false });

/** v3: a VLAN on a device. */
export const VlanV1 = Type.Object({
  ...addressing,
  kind: Type.Union([Type.Literal('vlan'), Type.Literal('Vlan'), Type.Literal('VLAN')]),
  device: Type.String(),
  id: Type.Integer({ minimum: 0, maximum: 4094 }),
}, { additionalProperties: false });

type Device = Static<typeof InterfaceV2> & Partial<Static<typeof BondV1>> & Partial<Static<typeof VlanV1>>;

const invalid = (reason: string) => new BrktError('invalid-input', reason);

/** A kernel interface name: 1-15 characters, no `.`, `/`, whitespace or line terminators. */
function checkInterfaceName(name: string) {
  if (/[\n\r\u000b\u000c\u0085\u2028\u2029]/.test(name)) throw invalid(`Invalid network device name '${name}': contains line terminators`);
  if (name.length === 0 || Buffer.byteLength(name) > 15) throw invalid(`Invalid network device name '${name}': invalid length, must be 1 to 15 characters long`);
  if (/[./\s]/.test(name)) throw invalid(`Invalid network device name '${name}': contains invalid characters`);
}

const isMacAddress = (name: string) => /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(name);

/** `a.b.c.d/n` or `x::/n`: the family of a prefix, or undefined when it is not one. */
function prefixFamily(text: string): 4 | 6 | undefined {
  const [address, length, ...rest] = text.split('/');
  if (rest.length || length === undefined || !/^\d{1,3}$/.test(length)) return undefined;
  const family = isIP(address!);
  if (family === 4 && Number(length) <= 32) return 4;
  if (family === 6 && Number(length) <= 128) return 6;
  return undefined;
}

function checkShape(schema: TSchema, value: unknown, where: string) {
  if (Value.Check(schema, value)) return;
  const first = Value.Errors(schema, value).First();
  const path = first?.path ? `${where}${first.path.replaceAll('/', '.')}` : where;
  throw invalid(`${path}: ${first?.message ?? 'invalid value'}`);
}

function checkAddressing(name: string, device: Device) {
  for (const key of ['static4', 'static6'] as const) {
    const addresses = device[key]?.addresses ?? [];
    const families = new Set(addresses.map(address => {
      const family = prefixFamily(address);
      if (!family) throw invalid(`${name}.${key}: invalid IP address prefix '${address}'`);
      return family;
    }));
    if (families.size > 1) throw invalid('static configuration must only contain all IPv4 or all IPv6 addresses');
  }
  for (const route of device.route ?? []) {
    if (route.to.toLowerCase() !== 'default' && !prefixFamily(route.to.toLowerCase())) {
      throw invalid(`Invalid route destination, must be 'default' or a valid IP address prefix.  Received '${route.to}'`);
    }
    for (const field of ['from', 'via'] as const) {
      if (route[field] !== undefined && !isIP(route[field]!)) throw invalid(`${name}.route.${field}: invalid IP address '${route[field]}'`);
    }
  }
  const hasDhcp = device.dhcp4 !== undefined || device.dhcp6 !== undefined;
  const hasStatic = device.static4 !== undefined || device.static6 !== undefined;
  if (!hasDhcp && !hasStatic) throw invalid('each interface must configure dhcp and/or static addresses');
  if (device.route !== undefined && !hasStatic) throw invalid('interfaces must set static addresses in order to use routes');
}

function checkBond(name: string, bond: Static<typeof BondV1>) {
  if (bond.interfaces.length === 0) throw invalid('bonds must have 1 or more interfaces specified');
  for (const member of bond.interfaces) checkInterfaceName(member);
  if (bond['min-links'] !== undefined && bond['min-links'] > bond.interfaces.length) throw invalid('min-links is greater than number of interfaces configured');
  const monitoring = bond.monitoring;
  if ('miimon-frequency-ms' in monitoring) {
    if (monitoring['miimon-frequency-ms'] === 0) throw invalid('miimon-frequency-ms of 0 disables Mii Monitoring, either set a value or configure Arp Monitoring');
    if (monitoring['miimon-frequency-ms'] > monitoring['miimon-updelay-ms'] || monitoring['miimon-frequency-ms'] > monitoring['miimon-downdelay-ms']) {
      throw invalid('miimon-updelay-ms and miimon-downdelay-ms must be equal to or larger than miimon-frequency-ms');
    }
  } else {
    if (monitoring['arpmon-interval-ms'] === 0) throw invalid('arpmon-interval-ms of 0 disables Arp Monitoring, either set a value or configure Mii Monitoring');
    const targets = monitoring['arpmon-targets'];
    if (targets.length < 1 || targets.length > 16) throw invalid('arpmon-targets must include between 1 and 16 targets');
    for (const target of targets) if (!isIP(target)) throw invalid(`${name}.monitoring: invalid IP address '${target}'`);
  }
}

/**
 * Validates net.toml text as `netdog commit` does: a TOML document with `version` 1, 2 or 3 and
 * one table per interface (v3: also bonds, VLANs and MAC-address keys), unknown fields refused,
 * at most one primary. Throws BrktError `invalid-input` with the reason.
 */
export async function validateNetToml(text: string): Promise<void> {
  let document: Record<string, unknown>;
  try {
    document = (await import('smol-toml')).parse(text) as Record<string, unknown>;
  } catch (error) {
    throw invalid(`Unable to parse network config: ${messageOf(error).replace(/\s*\n\s*/g, ' ').trim()}`);
  }
  const { version, ...devices } = document;
  if (version === undefined) throw invalid('Unable to parse network config: missing field `version`');
  if (typeof version !== 'bigint' && typeof version !== 'number') throw invalid('Unable to parse network config: `version` must be an integer');
  if (![1, 2, 3].includes(Number(version))) throw invalid(`Unknown network config version: ${version}`);
  const v = Number(version);
  const claimed = new Set<string>();
  for (const [name, device] of Object.entries(devices)) {
    if (v === 3 && isMacAddress(name)) {
      if (typeof device === 'object' && device !== null && 'kind' in device) throw invalid('bonds and vlans may not be configured using MAC address');
    } else checkInterfaceName(name);
    if (v === 1) {
      checkShape(InterfaceV1, device, name);
      const config = device as Static<typeof InterfaceV1>;
      if (config.dhcp4 === undefined && config.dhcp6 === undefined) throw invalid('each interface must configure dhcp4 or dhcp6, or both');
      continue;
    }
    const kind = v === 3 && typeof device === 'object' && device !== null ? String((device as Record<string, unknown>).kind ?? '').toLowerCase() : '';
    const schema = kind === 'bond' ? BondV1 : kind === 'vlan' ? VlanV1 : InterfaceV2;
    checkShape(schema, device, name);
    if (kind === 'vlan') checkInterfaceName((device as Static<typeof VlanV1>).device);
    if (kind === 'bond') {
      for (const member of (device as Static<typeof BondV1>).interfaces) {
        // Bonds create their member interfaces; configuring one as well would collide.
        if (member in devices || claimed.has(member)) throw invalid(`${member} in bond ${name} cannot be manually configured`);
        claimed.add(member);
      }
      checkBond(name, device as Static<typeof BondV1>);
    }
    checkAddressing(name, device as Device);
  }
  const primaries = Object.values(devices).filter(device => (device as { primary?: boolean })?.primary === true).length;
  if (primaries > 1) throw invalid('multiple primary interfaces defined, expected 1');
}
