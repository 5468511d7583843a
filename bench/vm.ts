// brkt on a virtual machine (`brkt dev vm`), each figure beside its reference in the same run:
// - power-on to API ready vs the same image with brkt's units masked booting to multi-user.target;
// - `brkt update --now` inside the VM vs `dd` of the same decompressed bytes to the same partitions;
// - the API server's RSS in the VM.
// Needs qemu and the image tools, and root; skipped with a reason otherwise.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fmtMiB, type Row } from './measure';
import { BRKT, SCRATCH } from './setup';

const TOOLS = ['qemu-system-x86_64', 'mmdebstrap', 'mke2fs', 'busybox', 'cpio'];
const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function brkt(args: string[]): string {
  const result = Bun.spawnSync({ cmd: [BRKT, ...args], stdout: 'pipe', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`brkt ${args.join(' ')} failed (${result.exitCode}): ${result.stderr.toString()}`);
  return result.stdout.toString();
}

/** Runs a shell script in the VM; its stdout. */
const inVm = (dir: string, script: string) => brkt(['dev', 'vm', 'exec', dir, '--', 'sh', '-c', script]);

/** Power-on to ready of a started VM, from `brkt dev vm start`'s report. */
function bootSeconds(startOutput: string): number {
  const match = /(\d+(?:\.\d+)?) s after power-on/.exec(startOutput);
  if (!match) throw new Error(`no boot time in: ${startOutput}`);
  return Number(match[1]) * 1000;
}

/** Decoded lengths of a release's images, from the repository's signed targets. */
function decodedLengths(vm: string, version: string): { root: number; boot: number } {
  const dir = join(vm, 'repo/metadata');
  const latest = readdirSync(dir).filter(name => /^\d+\.targets\.json$/.test(name)).sort((a, b) => parseInt(b) - parseInt(a))[0]!;
  const targets = JSON.parse(readFileSync(join(dir, latest), 'utf8')).signed.targets as Record<string, { custom: { decoded_length: number } }>;
  const length = (suffix: string) => Object.entries(targets).find(([name]) => name.includes(`-${version}-`) && name.endsWith(suffix))![1].custom.decoded_length;
  return { root: length('-root.ext4.lz4'), boot: length('-boot.ext4.lz4') };
}

export async function benchVm(): Promise<Row[]> {
  const missing = TOOLS.filter(tool => !Bun.which(tool));
  if (missing.length || process.getuid?.() !== 0) {
    console.log(`\n## virtual machine\nskipped: ${missing.length ? `${missing.join(', ')} not installed` : 'needs root'}`);
    return [];
  }
  const base = join(SCRATCH, 'vm');
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const vm = join(base, 'brkt');
  const reference = join(base, 'reference');
  brkt(['dev', 'vm', 'create', vm]);
  brkt(['dev', 'vm', 'create', '--mask-brkt', reference]);
  try {
    // Reference first: Debian's multi-user.target, brkt's units masked, same kernel and boot stage.
    const referenceBoot = await import('../src/platform/vm/machine').then(m => m.startVm(reference, { log: () => {}, until: { unit: 'multi-user.target' } }));
    brkt(['dev', 'vm', 'stop', reference]);
    const ours = bootSeconds(brkt(['dev', 'vm', 'start', vm]));
    inVm(vm, 'systemctl is-system-running --wait >/dev/null || true');
    const rss = Number(inVm(vm, 'grep VmRSS /proc/$(systemctl show -P MainPID apiserver.service)/status').replace(/\D+/g, '')) * 1024;

    // The update writes set B's BOOT, ROOT and HASH; dd then writes the same decoded bytes again.
    const updateMs = Number(inVm(vm, 's=$(date +%s%N); brkt update --now >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000))'));
    const sizes = decodedLengths(vm, '1.2.0');
    const ddMs = Number(inVm(vm, [
      // Copy the decoded images as the update wrote them to tmpfs (untimed), then time dd of
      // those bytes back onto the same partitions.
      `dd if=/dev/vda9 of=/tmp/root.img bs=4M count=${sizes.root} iflag=count_bytes status=none`,
      `dd if=/dev/vda8 of=/tmp/boot.img bs=4M count=${sizes.boot} iflag=count_bytes status=none`,
      's=$(date +%s%N)',
      'dd if=/tmp/boot.img of=/dev/vda8 bs=4M conv=fsync status=none && dd if=/tmp/root.img of=/dev/vda9 bs=4M conv=fsync status=none',
      'e=$(date +%s%N); rm -f /tmp/root.img /tmp/boot.img; echo $(((e - s) / 1000000))',
    ].join('; ')));
    return [
      { name: 'VM power-on to API ready (vs multi-user.target, brkt masked)', ours: fmtS(ours), reference: fmtS(referenceBoot.bootMs), ratio: ours / referenceBoot.bootMs, goal: '<= 1.15x' },
      { name: 'update applied in the VM (vs dd of the decoded images)', ours: fmtS(updateMs), reference: fmtS(ddMs), ratio: updateMs / ddMs, goal: '<= 1.2x' },
      { name: 'API server RSS in the VM', ours: fmtMiB(rss), reference: '-', ratio: 1 },
    ];
  } finally {
    for (const dir of [vm, reference]) Bun.spawnSync({ cmd: [BRKT, 'dev', 'vm', 'stop', '--kill', dir] });
    rmSync(base, { recursive: true, force: true });
  }
}
