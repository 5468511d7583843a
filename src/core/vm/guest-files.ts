// Files `brkt dev vm` adds to the Debian userland beside what `brkt install` writes: the agent
// unit that serves `brkt dev vm exec`, and what a read-only image needs to boot unattended.
import { formatOsRelease } from '../os-release';
import { buildIdOf } from '../sandbox/init';

/** The virtio-serial port name of the agent channel (`/sys/class/virtio-ports/*∕name`). */
export const AGENT_PORT_NAME = 'org.brkt.agent';
export const AGENT_UNIT = 'brkt-vm-agent.service';

export interface GuestFile {
  path: string;
  content: string;
  mode?: number;
}

export interface GuestLink {
  path: string;
  target: string;
}

/** The agent starts with the system's early units so `exec` works even when brkt's boot fails. */
export const agentUnit = `[Unit]
Description=brkt dev vm agent (runs commands for brkt dev vm exec)
DefaultDependencies=no
After=systemd-journald.socket
Before=sysinit.target shutdown.target
Conflicts=shutdown.target

[Service]
Type=simple
ExecStart=/usr/bin/brkt dev vm agent
Restart=always
RestartSec=1

[Install]
WantedBy=sysinit.target
`;

export function guestFiles(options: { machineId: string; hostname: string }): { files: GuestFile[]; links: GuestLink[] } {
  return {
    files: [
      { path: `usr/lib/systemd/system/${AGENT_UNIT}`, content: agentUnit },
      // A machine id makes every boot an ordinary boot: no first-boot prompts on the console.
      { path: 'etc/machine-id', content: `${options.machineId}\n`, mode: 0o444 },
      { path: 'etc/hostname', content: `${options.hostname}\n` },
    ],
    links: [
      { path: `etc/systemd/system/sysinit.target.wants/${AGENT_UNIT}`, target: `/usr/lib/systemd/system/${AGENT_UNIT}` },
      { path: 'etc/systemd/system/systemd-firstboot.service', target: '/dev/null' },
      // The VM's Debian userland has no containerd: no host containers here.
      { path: 'etc/systemd/system/host-containerd.service', target: '/dev/null' },
    ],
  };
}

/** `/usr/lib/os-release` of a VM release: Bottlerocket's keys (semver VERSION_ID, VARIANT_ID, BUILD_ID). */
export function vmOsRelease(version: string, variant: string): string {
  return formatOsRelease({
    NAME: 'Bottlerocket',
    ID: 'bottlerocket',
    VERSION: `${version} (${variant})`,
    VERSION_ID: version,
    PRETTY_NAME: `Bottlerocket OS ${version} (${variant})`,
    VARIANT_ID: variant,
    BUILD_ID: buildIdOf(version, variant),
    HOME_URL: 'https://github.com/bottlerocket-os/bottlerocket',
  });
}
