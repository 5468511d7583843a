// The /init of the VM's boot stage (busybox sh): what GRUB with gptprio does on an upstream host
// (host.md 2.1), plus the mounts a root file system needs that is mounted read-only as upstream's
// is. `brkt boot-stage` chooses the set and spends its try before anything mounts it; a root
// that does not mount or has no init reboots, and the next boot falls back once tries are spent.

/** Block devices the VM gets beside its OS disk, found by their virtio serial number. */
export const DRIVE_SERIALS = { data: 'brkt-data', userData: 'brkt-user-data', repo: 'brkt-repo' } as const;

/** Where the guest sees the VM's update repository (read-only). */
export const GUEST_REPO_DIR = '/var/lib/brkt-vm/repo';
/** Where the boot stage puts the config drive's user data: the platform's user-data file. */
export const GUEST_USER_DATA = '/etc/early-boot-config/user-data';
/** The file on the config drive. */
export const CONFIG_DRIVE_FILE = 'user-data.toml';

export function bootStageInit(modules: string[]): string {
  return `#!/bin/sh
# brkt boot stage: choose the partition set (GPT priority/tries/successful), spend its try,
# mount its root read-only and hand over to its init.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() {
  echo "brkt boot stage: $*; rebooting"
  reboot -f
}
for m in ${modules.join(' ')}; do insmod /lib/modules/$m.ko || fail "cannot load kernel module $m"; done
i=0
while [ ! -b /dev/vda ]; do
  i=$((i + 1)); [ $i -gt 300 ] && fail "no disk /dev/vda"
  sleep 0.05
done
choice=$(/bin/brkt boot-stage --disk /dev/vda)
status=$?
if [ $status -ne 0 ]; then
  # GRUB without an eligible set: wait, reboot, and find none again (signpost.md 6).
  echo "brkt boot stage: no bootable partition set; rebooting in 30 s"
  sleep 30
  reboot -f
fi
eval "$choice"
echo "brkt boot stage: booting set $BRKT_SET from $BRKT_ROOT"
mount -t ext4 -o ro "$BRKT_ROOT" /newroot || fail "set $BRKT_SET: root $BRKT_ROOT does not mount"
{ [ -L /newroot/sbin/init ] || [ -x /newroot/sbin/init ]; } || fail "set $BRKT_SET: root $BRKT_ROOT has no /sbin/init"
# /etc: a tmpfs copy of the image's (upstream: an empty tmpfs); /tmp a tmpfs as upstream's.
mkdir -p /rw/etc && mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /rw/etc && cp -a /newroot/etc/. /rw/etc/ && mount --move /rw/etc /newroot/etc || fail "cannot set up /etc"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /newroot/tmp || fail "cannot mount /tmp"
# /local: the data disk; /var is its var/ (upstream: var.mount binds /local/var), seeded from the
# image on the first boot.
data=
for s in /sys/block/vd*; do [ "$(cat $s/serial 2>/dev/null)" = ${DRIVE_SERIALS.data} ] && data=/dev/\${s##*/}; done
[ -n "$data" ] || fail "no data disk (serial ${DRIVE_SERIALS.data})"
mount -t ext4 -o nosuid,nodev,noatime "$data" /newroot/local || fail "cannot mount the data disk $data on /local"
if [ ! -d /newroot/local/var ]; then
  rm -rf /newroot/local/var.new; cp -a /newroot/var /newroot/local/var.new && mv /newroot/local/var.new /newroot/local/var || fail "cannot seed /local/var"
fi
mount --bind /newroot/local/var /newroot/var || fail "cannot bind /local/var on /var"
mkdir -p /newroot/var/lib/bottlerocket
mount -t ext4 -o nosuid,nodev,noexec,noatime "$BRKT_PRIVATE" /newroot/var/lib/bottlerocket || fail "cannot mount PRIVATE $BRKT_PRIVATE"
for s in /sys/block/vd*; do
  serial=$(cat $s/serial 2>/dev/null)
  dev=/dev/\${s##*/}
  case "$serial" in
    ${DRIVE_SERIALS.userData})
      mkdir -p /cfg && mount -t ext4 -o ro "$dev" /cfg && mkdir -p /newroot${GUEST_USER_DATA.replace(/\/[^/]+$/, '')} &&
        { [ ! -f /cfg/${CONFIG_DRIVE_FILE} ] || cp /cfg/${CONFIG_DRIVE_FILE} /newroot${GUEST_USER_DATA}; } ; umount /cfg ;;
    ${DRIVE_SERIALS.repo})
      mkdir -p /newroot${GUEST_REPO_DIR} && mount -t ext4 -o ro,noatime "$dev" /newroot${GUEST_REPO_DIR} ;;
  esac
done
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
`;
}
