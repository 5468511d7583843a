// What core sees of the host containerd (boot-config.md 4.3) and of the service manager: the
// operations host-ctr and the host-/bootstrap-containers programs need, nothing more.

/** A bind mount of a host path (absolute, already rooted) into a container. */
export interface ContainerMount {
  source: string;
  destination: string;
  /** `rbind`/`bind`, `ro`/`rw`, propagation (`rshared`). */
  options: string[];
}

/** Everything a host or bootstrap container is created with (host-ctr's container options). */
export interface ContainerSpec {
  id: string;
  image: string;
  mounts: ContainerMount[];
  env: string[];
  /** The host's PID namespace instead of a new one (superpowered and bootstrap containers). */
  hostPid: boolean;
  /** All capabilities and devices, no seccomp, no-new-privileges off. */
  privileged: boolean;
  /** Capabilities added to the default set (bootstrap containers). */
  capabilities: string[];
  /** Default seccomp profile (non-superpowered containers). */
  seccomp: boolean;
  /** Propagation of the container's root (`rshared` when superpowered). */
  rootfsPropagation?: string;
}

export type TaskStatus = 'created' | 'running' | 'stopped' | 'paused' | 'pausing' | 'unknown';

/** A task's lifetime as seen from host-ctr: attached until it exits. */
export interface AttachedTask {
  /** The task's exit status (128+N after signal N). */
  readonly exited: Promise<number>;
}

/** A process started in a running task (`/exec`). Output is stdout and stderr combined. */
export interface ExecProcess {
  write(data: Uint8Array): void;
  /** End of input (stdin EOF); on a TTY, the terminal's end-of-file character. */
  closeInput(): void;
  resize(rows: number, cols: number): void;
  /** Ends the process (the client went away). */
  kill(): void;
  readonly exited: Promise<number>;
}

export interface ExecOptions {
  /** A terminal of this size; none: pipes. */
  tty?: { rows: number; cols: number };
  onOutput(data: Uint8Array): void;
}

/** The host containerd at `run/host-containerd/containerd.sock` under the root. */
export interface ContainerRuntime {
  readonly socket: string;
  /** True when containerd answers on the socket. */
  isActive(): Promise<boolean>;
  hasImage(reference: string): Promise<boolean>;
  /** One pull attempt; failures throw with containerd's reason. */
  pull(reference: string): Promise<void>;
  /** The image a container was created from, or undefined when there is no such container. */
  containerImage(id: string): Promise<string | undefined>;
  taskStatus(id: string): Promise<TaskStatus | undefined>;
  /** Creates the container and starts its task, attached until it exits. */
  run(spec: ContainerSpec): Promise<AttachedTask>;
  /** Starts the task of an existing container, or attaches to its running task, until it exits. */
  startOrAttach(id: string, running: boolean): Promise<AttachedTask>;
  kill(id: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Deletes the task (killing it first when it still runs); absent is success. */
  deleteTask(id: string): Promise<void>;
  /** Deletes the container and its snapshot; absent is success. */
  deleteContainer(id: string): Promise<void>;
  exec(id: string, argv: string[], options: ExecOptions): Promise<ExecProcess>;
}

/** How the service manager runs a unit where no systemd does (a sandbox). */
export interface ServiceCommands {
  type: 'simple' | 'oneshot';
  /** Skip the start when this path (rooted) exists (ConditionPathExists=!). */
  skipIfExists?: string;
  /** Paths to create before starting (ExecStartPre touch/mkdir). */
  touch?: string[];
  /** brkt roles to run in order: [role, ...args]; the last of a `simple` unit keeps running. */
  run: string[][];
  /** Run after the main command succeeded (ExecStartPost). */
  after?: string[][];
}

/** systemctl as the host-containers programs use it (host.md 1.2). */
export interface UnitManager {
  /** `systemctl get-default`: how far the boot has got. */
  getDefault(): Promise<string>;
  isActive(unit: string): Promise<boolean>;
  isEnabled(unit: string): Promise<boolean>;
  /** `systemctl enable UNIT [--now] [--no-reload] [--no-block]`; `wantedBy` names the install target. */
  enable(unit: string, options: { now: boolean; wantedBy: string; commands: ServiceCommands }): Promise<void>;
  disable(unit: string, options: { now: boolean; wantedBy: string }): Promise<void>;
  /** `systemctl start UNIT`; a oneshot unit's failure throws. */
  start(unit: string, commands: ServiceCommands): Promise<void>;
  stop(unit: string): Promise<void>;
  /** A drop-in of the unit (`<unit>.d/<name>`), for bootstrap containers' [Install] section. */
  writeDropIn(unit: string, name: string, text: string): Promise<void>;
}
