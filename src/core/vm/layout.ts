// The VM's OS disk: upstream's partition order and types (host.md 4.3) with smaller sizes that
// still hold a Debian userland with systemd and brkt, and the VM's other drives.
import type { LayoutSizes } from '../signpost/os-disk-layout';

/** MiB per partition: BOOT holds the kernel, ROOT the userland and brkt, PRIVATE the datastore. */
export const VM_SIZES: LayoutSizes = { biosBoot: 1, efi: 1, boot: 24, root: 512, hash: 1, reserved: 1, private: 64 };

/** Size of a root file system image for a tree of `treeBytes`: room for ext4's metadata, whole MiB. */
export function rootImageMiB(treeBytes: number): number {
  const MiB = 1024 * 1024;
  return Math.ceil((treeBytes * 1.12 + 24 * MiB) / MiB / 4) * 4;
}

export const BOOT_IMAGE_MiB = 20;
