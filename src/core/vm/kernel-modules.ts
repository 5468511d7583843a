// The kernel modules the VM's boot stage loads before it can see its disks and agent port:
// Debian's cloud kernel builds virtio as modules (ext4 is built in). Load order follows each
// module's `depends=` field of its .modinfo section.

/** What the boot stage needs: the PCI transport, block devices and virtio-serial ports. */
export const BOOT_STAGE_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_console'];

/** The `depends=` list of a module file's .modinfo section (empty when it has none). */
export function moduleDepends(ko: Uint8Array): string[] {
  const text = new TextDecoder('latin1').decode(ko);
  const match = /\0depends=([A-Za-z0-9_,-]*)\0/.exec(text);
  return match?.[1] ? match[1].split(',').filter(Boolean) : [];
}

/** Modules in an order where each comes after its dependencies; throws on a missing one or a cycle. */
export function loadOrder(wanted: string[], dependsOf: (name: string) => string[] | undefined): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]) => {
    const seen = state.get(name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`Kernel module dependency cycle: ${[...chain, name].join(' -> ')}`);
    const depends = dependsOf(name);
    if (!depends) throw new Error(`Kernel module ${name} is not in the kernel package${chain.length ? ` (needed by ${chain.at(-1)})` : ''}`);
    state.set(name, 'visiting');
    for (const dep of depends) visit(dep, [...chain, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of wanted) visit(name, []);
  return order;
}
