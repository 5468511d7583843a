// The qemu command line of a `brkt dev vm`: no network, the OS disk and two read-only drives
// (config drive, update repository) found by serial, the agent's virtio-serial port, the serial
// console on a socket with a log file, QMP for power control. No -no-reboot: a guest reboot
// restarts the machine in the same process, as a real host's firmware would.
import { AGENT_PORT_NAME } from './guest-files';
import { DRIVE_SERIALS } from './boot-stage-init';

export type Accel = 'kvm' | 'tcg';

export interface VmFiles {
  dir: string;
  disk: string;
  /** The data disk (/local, /var), persistent like the OS disk. */
  dataDisk: string;
  kernel: string;
  initramfs: string;
  userDataDrive: string;
  repoDrive: string;
  /** FIFO pair `<agent>.in` / `<agent>.out` (qemu's pipe chardev). */
  agent: string;
  qmp: string;
  console: string;
  consoleLog: string;
  pid: string;
  bootId: string;
  marker: string;
}

export function vmFiles(dir: string): VmFiles {
  const at = (name: string) => `${dir}/${name}`;
  return {
    dir,
    disk: at('disk.img'),
    dataDisk: at('data.img'),
    kernel: at('vmlinuz'),
    initramfs: at('initramfs.cpio'),
    userDataDrive: at('run/user-data.img'),
    repoDrive: at('run/repo.img'),
    agent: at('run/agent'),
    qmp: at('run/qmp.sock'),
    console: at('run/console.sock'),
    consoleLog: at('console.log'),
    pid: at('run/qemu.pid'),
    bootId: at('run/boot-id'),
    marker: at('vm.json'),
  };
}

/** Kernel command line: serial console, and a kernel panic (an init that dies) reboots in 5 s. */
export const KERNEL_CMDLINE = 'console=ttyS0,115200 panic=5 loglevel=4 systemd.show_status=true';

export function qemuArgs(files: VmFiles, options: { accel: Accel; memoryMiB: number; cpus: number; cmdline?: string }): string[] {
  const accel = options.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
  const drive = (id: string, file: string, extra: string, serial?: string) => [
    '-drive', `file=${file},format=raw,if=none,id=${id},${extra}`,
    '-device', `virtio-blk-pci,drive=${id}${serial ? `,serial=${serial}` : ''}`,
  ];
  return [
    'qemu-system-x86_64',
    '-name', 'brkt-vm',
    ...accel,
    '-smp', String(options.cpus),
    '-m', String(options.memoryMiB),
    '-display', 'none',
    '-nic', 'none',
    '-kernel', files.kernel,
    '-initrd', files.initramfs,
    '-append', options.cmdline ?? KERNEL_CMDLINE,
    // Order matters: the OS disk is the first virtio disk (/dev/vda).
    ...drive('os', files.disk, 'cache=writeback,discard=unmap'),
    ...drive('data', files.dataDisk, 'cache=writeback,discard=unmap', DRIVE_SERIALS.data),
    ...drive('userdata', files.userDataDrive, 'readonly=on', DRIVE_SERIALS.userData),
    ...drive('repo', files.repoDrive, 'readonly=on', DRIVE_SERIALS.repo),
    '-device', 'virtio-serial-pci',
    '-chardev', `pipe,id=agent,path=${files.agent}`,
    '-device', `virtserialport,chardev=agent,name=${AGENT_PORT_NAME}`,
    '-chardev', `socket,id=console,path=${files.console},server=on,wait=off,logfile=${files.consoleLog},logappend=on`,
    '-serial', 'chardev:console',
    '-qmp', `unix:${files.qmp},server=on,wait=off`,
    '-pidfile', files.pid,
    '-daemonize',
  ];
}
