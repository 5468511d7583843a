// The systemd units of host and bootstrap containers (host.md 1.2; upstream packages/host-ctr
// and packages/os), as one table: the unit files a host installs, and the commands a sandbox's
// service manager runs for an instance of them.
import type { ServiceCommands } from '../../platform/container-types';
import type { HostPaths } from '../../platform/paths';

export interface UnitDefinition {
  /** File name under /usr/lib/systemd/system. */
  name: string;
  text: string;
}

export const HOST_CONTAINERD_UNIT = 'host-containerd.service';
export const hostContainerUnit = (name: string) => `host-containers@${name}.service`;
export const bootstrapContainerUnit = (name: string) => `bootstrap-containers@${name}.service`;

/** The unit files, word for word as a host gets them (`brkt install` writes these). */
export const CONTAINER_UNITS: UnitDefinition[] = [
  {
    name: HOST_CONTAINERD_UNIT,
    text: `[Unit]
Description=Host containerd
After=network-online.target preconfigured.target
Wants=network-online.target preconfigured.target

[Service]
Type=notify
EnvironmentFile=-/etc/network/proxy.env
ExecStart=/usr/bin/containerd --config /etc/host-containerd/config.toml
Restart=always
RestartSec=2
Delegate=yes
KillMode=process
LimitNOFILE=infinity

[Install]
WantedBy=configured.target
`,
  },
  {
    name: 'host-containers@.service',
    text: `[Unit]
Description=Host container: %i
After=host-containerd.service
Wants=host-containerd.service

[Service]
Type=simple
EnvironmentFile=-/etc/network/proxy.env
EnvironmentFile=/etc/host-containers/%i.env
Environment=LOCAL_DIR=/local
ExecStart=/usr/bin/host-ctr run --container-id='%i' --source='\${CTR_SOURCE}' --superpowered='\${CTR_SUPERPOWERED}' --registry-config=/etc/host-containers/host-ctr.toml
Restart=always
RestartSec=45
TimeoutStopSec=60
KillMode=mixed

[Install]
WantedBy=multi-user.target
`,
  },
  {
    name: 'bootstrap-containers@.service',
    text: `[Unit]
Description=Bootstrap container: %i
After=host-containerd.service
Wants=host-containerd.service
Before=configured.target
ConditionPathExists=!/run/bootstrap-containers/%i.ran
RefuseManualStart=true
RefuseManualStop=true

[Service]
Type=oneshot
EnvironmentFile=-/etc/network/proxy.env
EnvironmentFile=/etc/bootstrap-containers/%i.env
Environment=LOCAL_DIR=/local
ExecStartPre=/usr/bin/touch /run/bootstrap-containers/%i.ran
ExecStart=/usr/bin/host-ctr run --container-type=bootstrap --container-id='%i' --source='\${CTR_SOURCE}' --registry-config=/etc/host-containers/host-ctr.toml
ExecStartPost=/usr/bin/bootstrap-containers mark-bootstrap --container-id '%i' --mode \${CTR_MODE}
RemainAfterExit=true
StandardOutput=journal+console
`,
  },
];

/** What a sandbox runs for `host-containers@NAME` (the unit's ExecStart, env file values filled in). */
export function hostContainerCommands(name: string, source: string, superpowered: boolean): ServiceCommands {
  return {
    type: 'simple',
    run: [['host-ctr', 'run', `--container-id=${name}`, `--source=${source}`, `--superpowered=${superpowered}`]],
  };
}

/** What a sandbox runs for `bootstrap-containers@NAME`: the marker, the container, then mark-bootstrap. */
export function bootstrapContainerCommands(paths: HostPaths, name: string, source: string, mode: string): ServiceCommands {
  const ran = `${paths.bootstrapContainersRan}/${name}.ran`;
  return {
    type: 'oneshot',
    skipIfExists: ran,
    touch: [ran],
    run: [['host-ctr', 'run', '--container-type=bootstrap', `--container-id=${name}`, `--source=${source}`]],
    after: [['bootstrap-containers', 'mark-bootstrap', '--container-id', name, '--mode', mode]],
  };
}
