// A `brkt dev vm` for end-to-end tests: created in a temp directory (the kernel, userland and
// boot stage come from brkt's cache, keyed by content), driven through dist/brkt's commands.
// Needs qemu and the image tools, and root (image trees keep their files' owners). Skipped with
// a printed reason elsewhere; under CI=true a missing piece fails the tests instead.
import { test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { brkt, testEnv, type RunResult } from './brkt';
import { makeTempDir, type TempDir } from './sandbox';

const TOOLS = ['qemu-system-x86_64', 'mmdebstrap', 'mke2fs', 'busybox', 'cpio', 'apt-get', 'dpkg-deb'];

/** `test`, or a skipping (or, in CI, failing) one when this machine cannot run the VM. */
export function vmTest(): typeof test {
  const missing = TOOLS.filter(tool => !Bun.which(tool));
  const reason = missing.length ? `${missing.join(', ')} not installed (.ci/run installs them)` : process.getuid?.() !== 0 ? 'brkt dev vm create needs root (image trees keep file owners)' : undefined;
  if (!reason) return test;
  if (process.env.CI === 'true') {
    return ((name: string) => test(name, () => {
      throw new Error(`cannot run the VM tests: ${reason}`);
    })) as unknown as typeof test;
  }
  console.warn(`skipping the VM tests: ${reason}`);
  return test.skip;
}

/** Environment of the VM commands: the test environment plus brkt's cache location. */
const vmEnv = (): Record<string, string> => ({
  ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}),
  ...(process.env.BRKT_VM_ACCEL ? { BRKT_VM_ACCEL: process.env.BRKT_VM_ACCEL } : {}),
});

export class TestVm implements AsyncDisposable {
  private constructor(readonly temp: TempDir, readonly dir: string) {}

  static async create(variant = 'aws-dev'): Promise<TestVm> {
    const temp = makeTempDir('brkt-vm-');
    const vm = new TestVm(temp, temp.path('vm'));
    const created = await vm.brkt(['dev', 'vm', 'create', vm.dir, '--variant', variant]);
    if (created.code !== 0) throw new Error(`brkt dev vm create failed: ${created.stderr}`);
    return vm;
  }

  brkt(args: string[]): Promise<RunResult> {
    return brkt('brkt', args, { env: { ...testEnv, ...vmEnv() } });
  }

  vm(command: string, ...args: string[]): Promise<RunResult> {
    return this.brkt(['dev', 'vm', command, this.dir, ...args]);
  }

  /** CMD as root in the VM. */
  exec(...argv: string[]): Promise<RunResult> {
    return this.brkt(['dev', 'vm', 'exec', this.dir, '--', ...argv]);
  }

  /** stdout of CMD, which must succeed. */
  async out(...argv: string[]): Promise<string> {
    const result = await this.exec(...argv);
    if (result.code !== 0) throw new Error(`${argv.join(' ')} exited ${result.code} in the VM: ${result.stderr}`);
    return result.stdout;
  }

  consoleLog(): string {
    return readFileSync(`${this.dir}/console.log`, 'utf8');
  }

  async [Symbol.asyncDispose]() {
    await this.vm('stop', '--kill');
    await this.temp[Symbol.asyncDispose]();
  }
}
