// The systemd units of host and bootstrap containers (host.md 1.2; upstream packages/host-ctr
// and packages/os): the unit files a host installs, and the commands a sandbox's service
// manager runs for an instance of them.
import type { ServiceCommands } from '../../platform/container-types';
import type { HostPaths } from '../../platform/paths';

/** One `Key=value` line; keys may repeat. */
export type UnitLine = readonly [key: string, value: string];

/** A unit file as sections of lines: the shape of `brkt install`'s unit table, so these join it. */
export interface UnitSpec {
  /** File name under /usr/lib/systemd/system. */
  name: string;
  sections: ReadonlyArray<readonly [section: string, lines: readonly UnitLine[]]>;
}

export const HOST_CONTAINERD_UNIT = 'host-containerd.service';
export const hostContainerUnit = (name: string) => `host-containers@${name}.service`;
export const bootstrapContainerUnit = (name: string) => `bootstrap-containers@${name}.service`;

const HOST_CTR = '/usr/bin/host-ctr';

/** The units of host and bootstrap containers (host.md 1.2), for `brkt install`'s table. */
export const CONTAINER_UNITS: readonly UnitSpec[] = [
  {
    name: HOST_CONTAINERD_UNIT,
    sections: [
      ['Unit', [['Description', 'Host containerd'], ['After', 'network-online.target preconfigured.target'], ['Wants', 'network-online.target preconfigured.target']]],
      ['Service', [
        ['Type', 'notify'],
        ['EnvironmentFile', '-/etc/network/proxy.env'],
        ['ExecStart', '/usr/bin/containerd --config /etc/host-containerd/config.toml'],
        ['Restart', 'always'],
        ['RestartSec', '2'],
        ['Delegate', 'yes'],
        ['KillMode', 'process'],
        ['LimitNOFILE', 'infinity'],
      ]],
      ['Install', [['WantedBy', 'configured.target']]],
    ],
  },
  {
    name: 'host-containers@.service',
    sections: [
      ['Unit', [['Description', 'Host container: %i'], ['After', HOST_CONTAINERD_UNIT], ['Wants', HOST_CONTAINERD_UNIT]]],
      ['Service', [
        ['Type', 'simple'],
        ['EnvironmentFile', '-/etc/network/proxy.env'],
        ['EnvironmentFile', '/etc/host-containers/%i.env'],
        ['Environment', 'LOCAL_DIR=/local'],
        ['ExecStart', `${HOST_CTR} run --container-id='%i' --source='\${CTR_SOURCE}' --superpowered='\${CTR_SUPERPOWERED}' --registry-config=/etc/host-containers/host-ctr.toml`],
        ['Restart', 'always'],
        ['RestartSec', '45'],
        ['TimeoutStopSec', '60'],
        ['KillMode', 'mixed'],
      ]],
      ['Install', [['WantedBy', 'multi-user.target']]],
    ],
  },
  {
    // No [Install]: the bootstrap-containers program writes it as a drop-in (RequiredBy when essential).
    name: 'bootstrap-containers@.service',
    sections: [
      ['Unit', [
        ['Description', 'Bootstrap container: %i'],
        ['After', HOST_CONTAINERD_UNIT],
        ['Wants', HOST_CONTAINERD_UNIT],
        ['Before', 'configured.target'],
        ['ConditionPathExists', '!/run/bootstrap-containers/%i.ran'],
        ['RefuseManualStart', 'true'],
        ['RefuseManualStop', 'true'],
      ]],
      ['Service', [
        ['Type', 'oneshot'],
        ['RemainAfterExit', 'true'],
        ['EnvironmentFile', '-/etc/network/proxy.env'],
        ['EnvironmentFile', '/etc/bootstrap-containers/%i.env'],
        ['Environment', 'LOCAL_DIR=/local'],
        ['ExecStartPre', '/usr/bin/mkdir -p /run/bootstrap-containers'],
        ['ExecStartPre', '/usr/bin/touch /run/bootstrap-containers/%i.ran'],
        ['ExecStart', `${HOST_CTR} run --container-type=bootstrap --container-id='%i' --source='\${CTR_SOURCE}' --registry-config=/etc/host-containers/host-ctr.toml`],
        ['ExecStartPost', "/usr/bin/bootstrap-containers mark-bootstrap --container-id '%i' --mode '${CTR_MODE}'"],
        ['StandardOutput', 'journal+console'],
      ]],
    ],
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
