// brkt's systemd units: ONE table, in the boot order of upstream's core-kit units (host.md 1.2,
// 1.4, 1.5). `brkt install` renders it into a host or image tree; `--dry-run` prints it.
// Differences from upstream, on purpose: mark-successful-boot runs after settings-applier (the
// boot has completed, as in brkt's sandbox) instead of right after the migrator; the activate-*
// services isolate their target without `systemctl set-default` (an image's /etc may persist).

import { ROLE_NAMES } from '../../dispatch';
import { CONTAINER_UNITS } from '../host-containers/units';

/** Where the units and the brkt binary go, as paths on the target system. */
export const UNIT_DIR = '/usr/lib/systemd/system';
export const ENABLE_DIR = '/etc/systemd/system';
export const BRKT_BINARY = '/usr/bin/brkt';
/** Upstream's `api` group (host.md 4.2, sysusers `g api 274`). */
export const API_GROUP = { name: 'api', gid: 274 };
export const PRIVATE_MOUNT = '/var/lib/bottlerocket';

/** One `Key=value` line; keys may repeat (ExecStart=, After=). */
export type UnitLine = readonly [key: string, value: string];

export interface UnitSpec {
  /** File name: `migrator.service`, or a drop-in `multi-user.target.d/10-brkt.conf`. */
  name: string;
  /** Section name -> lines, in the order written. */
  sections: ReadonlyArray<readonly [section: string, lines: readonly UnitLine[]]>;
}

const oneshot = (execStart: string[], extra: UnitLine[] = []): UnitLine[] => [
  ['Type', 'oneshot'],
  ['RemainAfterExit', 'true'],
  ...execStart.map(line => ['ExecStart', line] as const),
  ...extra,
  ['StandardError', 'journal+console'],
];

/** The upstream control-plane steps run alone: one boot step of `brkt boot` each. */
const step = (name: string) => `${BRKT_BINARY} boot step ${name}`;
const LOCKED: UnitLine[] = [['RefuseManualStart', 'true'], ['RefuseManualStop', 'true']];
const needsPrivate: UnitLine = ['RequiresMountsFor', PRIVATE_MOUNT];

const DATASTORE = `${PRIVATE_MOUNT}/datastore/current`;

export const UNITS: readonly UnitSpec[] = [
  {
    name: 'preconfigured.target',
    sections: [['Unit', [['Description', 'Bottlerocket initial configuration complete'], ['Requires', 'basic.target'], ['After', 'basic.target'], ['AllowIsolate', 'yes']]]],
  },
  {
    name: 'configured.target',
    sections: [['Unit', [['Description', 'Bottlerocket final configuration complete'], ['Requires', 'preconfigured.target'], ['After', 'preconfigured.target'], ['AllowIsolate', 'yes']]]],
  },
  {
    // Debian's multi-user.target stays; this drop-in adds what upstream's own unit requires.
    name: 'multi-user.target.d/10-brkt.conf',
    sections: [['Unit', [['Requires', 'configured.target'], ['After', 'configured.target']]]],
  },
  {
    name: 'migrator.service',
    sections: [
      ['Unit', [['Description', 'Bottlerocket data store migrator'], ['Before', 'storewolf.service apiserver.service mark-successful-boot.service'], needsPrivate, ...LOCKED]],
      ['Service', oneshot([`/usr/bin/migrator --datastore-path ${DATASTORE} --migration-directory /var/lib/bottlerocket-migrations --root-path /usr/share/updog/root.json --metadata-directory /var/cache/bottlerocket-metadata --migrate-to-version-from-os-release`])],
      ['Install', [['RequiredBy', 'preconfigured.target']]],
    ],
  },
  {
    name: 'storewolf.service',
    sections: [
      ['Unit', [['Description', 'Data store creator'], ['After', 'migrator.service'], ['Requires', 'migrator.service'], needsPrivate, ...LOCKED]],
      ['Service', oneshot([step('storewolf')])],
      ['Install', [['RequiredBy', 'preconfigured.target']]],
    ],
  },
  {
    // Ready (READY=1 on $NOTIFY_SOCKET) once /run/api.sock has group 274 and mode 0660.
    name: 'apiserver.service',
    sections: [
      ['Unit', [['Description', 'Bottlerocket API server'], ['After', 'storewolf.service migrator.service'], ['Requires', 'storewolf.service migrator.service'], needsPrivate]],
      ['Service', [
        ['Type', 'notify'],
        ['ExecStart', `/usr/bin/apiserver --datastore-path ${DATASTORE} --socket-gid ${API_GROUP.gid}`],
        ['Restart', 'always'],
        ['RestartSec', '5'],
        ['StandardError', 'journal+console'],
      ]],
      ['Install', [['WantedBy', 'preconfigured.target']]],
    ],
  },
  {
    name: 'early-boot-config.service',
    sections: [
      ['Unit', [
        ['Description', 'Bottlerocket userdata configuration system'],
        ['After', 'network-online.target apiserver.service storewolf.service'],
        ['Wants', 'network-online.target apiserver.service'],
        ['Requires', 'storewolf.service'],
        ['ConditionPathExists', `!${PRIVATE_MOUNT}/early-boot-config.ran`],
        ...LOCKED,
      ]],
      ['Service', oneshot([step('early-boot-config')])],
      ['Install', [['RequiredBy', 'preconfigured.target']]],
    ],
  },
  {
    // settings-committer is part of the step (it commits bottlerocket-launch first).
    name: 'sundog.service',
    sections: [
      ['Unit', [
        ['Description', 'User-specified setting generators'],
        ['After', 'network-online.target apiserver.service early-boot-config.service'],
        ['Wants', 'network-online.target apiserver.service'],
        ['Requires', 'early-boot-config.service'],
        ...LOCKED,
      ]],
      ['Service', oneshot([step('sundog')])],
      ['Install', [['RequiredBy', 'preconfigured.target']]],
    ],
  },
  {
    name: 'settings-applier.service',
    sections: [
      ['Unit', [
        ['Description', 'Applies settings to create config files'],
        ['After', 'storewolf.service sundog.service early-boot-config.service apiserver.service'],
        ['Requires', 'storewolf.service sundog.service early-boot-config.service'],
        ['Wants', 'apiserver.service'],
        ...LOCKED,
      ]],
      ['Service', oneshot([step('settings-applier')])],
      ['Install', [['RequiredBy', 'preconfigured.target']]],
    ],
  },
  {
    // Current upstream (settings-now.md 7): apiclient commands from settings, after the first
    // full apply; an essential failure fails the unit, so preconfigured.target is not reached.
    name: 'bootstrap-commands.service',
    sections: [
      ['Unit', [
        ['Description', 'Run apiclient commands from settings.bootstrap-commands'],
        ['After', 'settings-applier.service apiserver.service'],
        ['Requires', 'settings-applier.service'],
        ['Wants', 'apiserver.service'],
        ...LOCKED,
      ]],
      ['Service', oneshot([step('bootstrap-commands')])],
      ['Install', [['RequiredBy', 'preconfigured.target']]],
    ],
  },
  {
    // brkt: after the whole boot sequence (upstream: right after the migrator), so a boot that
    // fails to configure the host is not marked successful and the bootloader falls back.
    name: 'mark-successful-boot.service',
    sections: [
      ['Unit', [
        ['Description', 'Mark the partition set as successfully booted'],
        ['After', 'migrator.service settings-applier.service bootstrap-commands.service'],
        ['Requires', 'migrator.service settings-applier.service bootstrap-commands.service'],
        ...LOCKED,
      ]],
      ['Service', oneshot(['/usr/bin/signpost mark-successful-boot'])],
      ['Install', [['RequiredBy', 'preconfigured.target']]],
    ],
  },
  {
    name: 'activate-configured.service',
    sections: [
      ['Unit', [['Description', 'Isolate configured.target'], ['After', 'preconfigured.target'], ['Requires', 'preconfigured.target']]],
      ['Service', oneshot(['/usr/bin/systemctl isolate configured.target --no-block'])],
      ['Install', [['WantedBy', 'preconfigured.target']]],
    ],
  },
  {
    name: 'activate-multi-user.service',
    sections: [
      ['Unit', [['Description', 'Isolate multi-user.target'], ['After', 'configured.target'], ['Requires', 'configured.target']]],
      ['Service', oneshot(['/usr/bin/systemctl isolate multi-user.target --no-block'])],
      ['Install', [['WantedBy', 'configured.target']]],
    ],
  },
  // host-containerd, host-containers@ and bootstrap-containers@ (boot-config.md 4-5).
  ...CONTAINER_UNITS,
];

/** Upstream tool names linked to the brkt binary: the roles brkt answers to. */
export const TOOL_LINKS = ROLE_NAMES;

/** The unit file text: sections in order, `Key=value` lines. */
export function renderUnit(unit: UnitSpec): string {
  const blocks = unit.sections.map(([section, lines]) => [`[${section}]`, ...lines.map(([key, value]) => `${key}=${value}`)].join('\n'));
  return `# Written by brkt install; changes are lost when it runs again.\n${blocks.join('\n\n')}\n`;
}

/** Values of `key` in `section` of a unit, space-separated lists flattened. */
export function unitValues(unit: UnitSpec, section: string, key: string): string[] {
  const lines = unit.sections.find(([name]) => name === section)?.[1] ?? [];
  return lines.filter(([k]) => k === key).flatMap(([, value]) => value.split(/\s+/).filter(Boolean));
}
