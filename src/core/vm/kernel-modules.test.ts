import { describe, expect, test } from 'bun:test';
import { BOOT_STAGE_MODULES, loadOrder, moduleDepends } from './kernel-modules';

describe('boot stage kernel modules', () => {
  test("reads .modinfo's depends= and orders each module after its dependencies", () => {
    const ko = (depends: string) => new TextEncoder().encode(`\x7fELF...\0license=GPL\0depends=${depends}\0intree=Y\0`);
    expect(moduleDepends(ko('virtio_ring,virtio'))).toEqual(['virtio_ring', 'virtio']);
    expect(moduleDepends(ko(''))).toEqual([]);
    // Debian 6.1 cloud kernel's graph.
    const graph: Record<string, string[]> = {
      virtio: ['virtio_ring'], virtio_ring: [], virtio_pci_legacy_dev: [], virtio_pci_modern_dev: [],
      virtio_pci: ['virtio_ring', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio'],
      virtio_blk: ['virtio', 'virtio_ring'], virtio_console: ['virtio', 'virtio_ring'],
    };
    const order = loadOrder(BOOT_STAGE_MODULES, name => graph[name]);
    expect(order).toEqual(['virtio_ring', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio', 'virtio_pci', 'virtio_blk', 'virtio_console']);
    for (const [module, deps] of Object.entries(graph)) for (const dep of deps) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(module));
  });

  test('a missing module or a cycle is an error naming it', () => {
    expect(() => loadOrder(['a'], name => ({ a: ['b'] } as Record<string, string[]>)[name])).toThrow('Kernel module b is not in the kernel package (needed by a)');
    expect(() => loadOrder(['a'], name => ({ a: ['b'], b: ['a'] } as Record<string, string[]>)[name])).toThrow('Kernel module dependency cycle: a -> b -> a');
  });
});
