import { describe, expect, test } from 'bun:test';
import { validateNetToml } from './net-toml';

// settings-now.md 6 and netdog's net_config tests: what `netdog commit` accepts and refuses.
describe('accepted', () => {
  test.each([
    ['v1 dhcp', 'version = 1\n[eth0]\ndhcp4 = true\nprimary = true\n'],
    ['v1 dhcp options', 'version = 1\n[eno1]\ndhcp4 = { enabled = true, optional = true, route-metric = 100 }\ndhcp6 = { enabled = false }\n'],
    ['v2 vector 11', 'version = 2\n\n[eth0]\ndhcp4 = true\n'],
    ['v2 static and routes', 'version = 2\n[eth0]\nstatic4 = { addresses = ["192.168.1.100/24"] }\n[[eth0.route]]\nto = "default"\nvia = "192.168.1.1"\nroute-metric = 100\n[[eth0.route]]\nto = "10.0.0.0/8"\nfrom = "192.168.1.100"\n'],
    ['v3 two interfaces', 'version = 3\n\n[enp0s16]\ndhcp4 = true\ndhcp6 = false\nprimary = true\n\n[enp0s17]\ndhcp4 = true\ndhcp6 = false'],
    ['v3 MAC key', 'version = 3\n["0e:b3:69:44:b6:33"]\ndhcp4 = true\n'],
    ['v3 bond', 'version = 3\n[bond0]\nkind = "bond"\nmode = "active-backup"\ninterfaces = ["eno1", "eno2"]\nmin-links = 2\ndhcp4 = true\n[bond0.monitoring]\nmiimon-frequency-ms = 100\nmiimon-updelay-ms = 200\nmiimon-downdelay-ms = 200\n'],
    ['v3 vlan', 'version = 3\n[eth0]\ndhcp4 = true\n[myvlan]\nkind = "vlan"\ndevice = "eth0"\nid = 42\nstatic6 = { addresses = ["2001:db8::2/64"] }\n'],
    ['no interfaces', 'version = 2\n'],
  ])('%s', async (_name, text) => {
    await validateNetToml(text);
  });
});

describe('refused', () => {
  test.each([
    ['unknown version', 'version = 99\n\n[eth0]\ndhcp4 = true', 'Unknown network config version: 99'],
    ['no version', '[eth0]\ndhcp4 = true\n', 'missing field `version`'],
    ['not TOML', 'version = = 2', 'Unable to parse network config:'],
    ['v1 static', 'version = 1\n[eth0]\nstatic4 = { addresses = ["10.0.0.2/24"] }\n', "eth0.static4: Unexpected property"],
    ['unknown field', 'version = 2\n[eth0]\ndhcp4 = true\ndhcp5 = true\n', 'eth0.dhcp5: Unexpected property'],
    ['unknown dhcp option', 'version = 2\n[eth0]\ndhcp6 = { enabled = true, route-metric = 1 }\n', 'eth0.dhcp6'],
    ['v1 no dhcp', 'version = 1\n[eth0]\nprimary = true\n', 'each interface must configure dhcp4 or dhcp6, or both'],
    ['v2 nothing', 'version = 2\n[eth0]\nprimary = true\n', 'each interface must configure dhcp and/or static addresses'],
    ['two primaries', 'version = 2\n[eth0]\ndhcp4 = true\nprimary = true\n[eth1]\ndhcp4 = true\nprimary = true\n', 'multiple primary interfaces defined, expected 1'],
    ['mixed families', 'version = 2\n[eth0]\nstatic4 = { addresses = ["10.0.0.2/24", "2001:db8::2/64"] }\n', 'static configuration must only contain all IPv4 or all IPv6 addresses'],
    ['bad prefix', 'version = 2\n[eth0]\nstatic4 = { addresses = ["10.0.0.300/24"] }\n', "invalid IP address prefix '10.0.0.300/24'"],
    ['routes need static', 'version = 2\n[eth0]\ndhcp4 = true\n[[eth0.route]]\nto = "default"\nvia = "10.0.0.1"\n', 'interfaces must set static addresses in order to use routes'],
    ['bad route', 'version = 2\n[eth0]\nstatic4 = { addresses = ["10.0.0.2/24"] }\n[[eth0.route]]\nto = "nowhere"\n', "Invalid route destination, must be 'default' or a valid IP address prefix.  Received 'nowhere'"],
    ['long name', 'version = 2\n[abcdefghijklmnop]\ndhcp4 = true\n', "Invalid network device name 'abcdefghijklmnop': invalid length"],
    ['dotted name', 'version = 2\n["eth0.5"]\ndhcp4 = true\n', "Invalid network device name 'eth0.5': contains invalid characters"],
    ['MAC in v2', 'version = 2\n["0e:b3:69:44:b6:33"]\ndhcp4 = true\n', "Invalid network device name '0e:b3:69:44:b6:33'"],
    ['MAC bond', 'version = 3\n["0e:b3:69:44:b6:33"]\nkind = "bond"\n', 'bonds and vlans may not be configured using MAC address'],
    ['bond mode', 'version = 3\n[bond0]\nkind = "bond"\nmode = "round-robin"\ninterfaces = ["eno1"]\ndhcp4 = true\nmonitoring = { miimon-frequency-ms = 100, miimon-updelay-ms = 200, miimon-downdelay-ms = 200 }\n', 'bond0.mode'],
    ['bond min-links', 'version = 3\n[bond0]\nkind = "bond"\nmode = "active-backup"\ninterfaces = ["eno1"]\nmin-links = 2\ndhcp4 = true\nmonitoring = { miimon-frequency-ms = 100, miimon-updelay-ms = 200, miimon-downdelay-ms = 200 }\n', 'min-links is greater than number of interfaces configured'],
    ['bond member configured', 'version = 3\n[eno1]\ndhcp4 = true\n[bond0]\nkind = "bond"\nmode = "active-backup"\ninterfaces = ["eno1"]\ndhcp4 = true\nmonitoring = { miimon-frequency-ms = 100, miimon-updelay-ms = 200, miimon-downdelay-ms = 200 }\n', 'eno1 in bond bond0 cannot be manually configured'],
    ['arpmon targets', 'version = 3\n[bond0]\nkind = "bond"\nmode = "active-backup"\ninterfaces = ["eno1"]\ndhcp4 = true\nmonitoring = { arpmon-interval-ms = 200, arpmon-validate = "all", arpmon-targets = [] }\n', 'arpmon-targets must include between 1 and 16 targets'],
    ['miimon 0', 'version = 3\n[bond0]\nkind = "bond"\nmode = "active-backup"\ninterfaces = ["eno1"]\ndhcp4 = true\nmonitoring = { miimon-frequency-ms = 0, miimon-updelay-ms = 200, miimon-downdelay-ms = 200 }\n', 'miimon-frequency-ms of 0 disables Mii Monitoring'],
    ['vlan id', 'version = 3\n[v]\nkind = "vlan"\ndevice = "eth0"\nid = 4095\ndhcp4 = true\n', 'v.id'],
    ['vlan without device', 'version = 3\n[v]\nkind = "vlan"\nid = 5\ndhcp4 = true\n', 'v.device'],
  ])('%s', async (_name, text, message) => {
    await expect(validateNetToml(text)).rejects.toThrow(message);
  });
});
