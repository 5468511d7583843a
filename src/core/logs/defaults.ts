// brkt's built-in request list, used when the root has no usr/share/logdog.d (logs.md 10.1).
// Upstream ships logdog.common.conf plus per-package files; this is its generic-host subset.
import type { Platform } from '../../platform/types';

/** A generic Linux host: upstream's common list minus the Bottlerocket-only services. */
export const HOST_REQUESTS = [
  'file os-release /etc/os-release',
  'settings settings.json',
  'exec signpost signpost status',
  'exec update-status brkt update status',
  'exec df df -h',
  'exec df-inodes df -hi',
  'exec dmesg dmesg --color=never --nopager',
  'exec iptables-filter iptables -nvL -t filter',
  'exec iptables-nat iptables -nvL -t nat',
  'exec journalctl-boots journalctl --list-boots --no-pager',
  'exec journalctl.errors journalctl -p err -a --no-pager',
  'exec journalctl.log journalctl -o short-precise -a --no-pager',
  'exec systemd-analyze-blame systemd-analyze blame --no-pager',
  '# file copy does not work for procfs, so cat it (as upstream)',
  'exec proc-mounts cat /proc/mounts',
  'glob /var/log/kdump/*',
  'glob /var/lib/systemd/pstore/*',
  'glob /var/log/brkt/*',
];

/**
 * A sandbox directory: only what lives under the root, plus disk usage of the root's file
 * system (exec requests run in the root there). The host's journal, kernel log, firewall and
 * mounts say nothing about a sandbox, so they are left out rather than reported as missing.
 */
export const SANDBOX_REQUESTS = [
  'file os-release /etc/os-release',
  'settings settings.json',
  'exec signpost signpost status',
  'exec update-status brkt update status',
  'exec df df -h .',
  'exec df-inodes df -hi .',
  'glob /var/log/brkt/*',
  'glob /var/log/kdump/*',
];

export const defaultRequests = (platform: Pick<Platform, 'kind'>) => (platform.kind === 'host' ? HOST_REQUESTS : SANDBOX_REQUESTS);
