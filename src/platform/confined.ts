// Resolves paths under a root one component at a time, so that no link inside the root leads a
// read or write out of it (cli.md "The root prefix"). A link is followed only while its target
// stays inside the root: the datastore's own version chain (`current -> v1 -> ...`) is made of
// such links. Each directory reached is held open and the next component is looked up through
// `/proc/self/fd/<fd>/<name>`, which resolves to that very directory even if its name is swapped
// for a link meanwhile; the last step opens with O_NOFOLLOW, so a link swapped in there fails
// instead of being followed.
import { closeSync, constants, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { BrktError } from '../core/errors';

/** Linux's O_PATH (the same on x86_64 and aarch64): a handle for lookups, no read access needed. */
const O_PATH = 0o10000000;
const DIR_FLAGS = O_PATH | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** The kernel's own limit of links in one lookup. */
const MAX_LINKS = 40;

const errno = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });
const codeOf = (error: unknown) => (error as NodeJS.ErrnoException)?.code;

/** Where a path's last component is: a held directory and a name in it. */
export interface Located {
  /** A path for syscalls that reaches the name through the held directory (`/proc/self/fd/N/name`). */
  readonly path: string;
  /** The held directory itself, as a path (`/proc/self/fd/N`). */
  readonly dir: string;
  readonly name: string;
  /** O_NOFOLLOW for opening `path`, so a link swapped in there fails; 0 on a whole host (root `/`). */
  readonly noFollow: number;
  /** Closes the held directory; use `path` and `dir` only before. */
  close(): void;
}

export class Confinement {
  /** Root `/`: nothing is outside, so paths are used as they are. */
  readonly isWholeHost: boolean;
  private readonly roots: string[];

  constructor(readonly root: string) {
    const real = realpathOr(root);
    this.isWholeHost = real === '/';
    this.roots = [...new Set([resolve(root), real])];
  }

  /**
   * Locates `path` (absolute, under the root): every directory on the way is entered through
   * links only while they stay inside the root. With `followLast`, a link in the last place is
   * followed the same way; without, the name is the link itself (rename, remove, lstat).
   * `create` makes missing directories (with `mode`).
   */
  locate(path: string, options: { followLast?: boolean; create?: boolean; mode?: number } = {}): Located {
    if (this.isWholeHost) {
      const dir = path.slice(0, path.lastIndexOf('/')) || '/';
      if (options.create) mkdirSync(dir, { recursive: true, mode: options.mode });
      return { path, dir, name: path.slice(path.lastIndexOf('/') + 1), noFollow: 0, close() {} };
    }
    const parts = this.componentsOf(path);
    // The root itself is trusted as given (it may be a link: `--root` names it).
    if (parts.length === 0) return { path: this.roots[0]!, dir: this.roots[0]!, name: '.', noFollow: 0, close() {} };
    return this.walk(path, parts, options);
  }

  /** Opens the directory `path` (links followed inside the root; missing ones made with `create`). */
  openDir(path: string, options: { create?: boolean; mode?: number } = {}): { fd: number; path: string; close(): void } {
    if (this.isWholeHost) {
      if (options.create) mkdirSync(path, { recursive: true, mode: options.mode });
      const fd = openSync(path, O_PATH | constants.O_DIRECTORY);
      return { fd, path: `/proc/self/fd/${fd}`, close: () => closeSync(fd) };
    }
    const parts = this.componentsOf(path);
    const fd = this.walk(path, parts, { ...options, followLast: true, keep: true }).fd!;
    return { fd, path: `/proc/self/fd/${fd}`, close: () => closeSync(fd) };
  }

  /** True when `path` names something under the root (by name: as given or by its real path). */
  contains(path: string): boolean {
    return this.isWholeHost || (isAbsolute(path) && this.relativeParts(path) !== undefined);
  }

  private relativeParts(path: string): string[] | undefined {
    for (const root of this.roots) {
      const rel = relative(root, resolve(path));
      if (!rel.startsWith('..') && !isAbsolute(rel)) return rel.split('/').filter(part => part !== '' && part !== '.');
    }
    return undefined;
  }

  private componentsOf(path: string): string[] {
    const parts = isAbsolute(path) ? this.relativeParts(path) : undefined;
    if (!parts) throw new BrktError('invalid-input', `Refusing path ${path}: it is outside the root ${this.root}`);
    return parts;
  }

  private walk(path: string, parts: string[], options: { followLast?: boolean; create?: boolean; mode?: number; keep?: boolean }): Located & { fd?: number } {
    if (options.create) mkdirSync(this.roots[0]!, { recursive: true }); // a new root, as `mkdir -p` made it before
    const stack = [openSync(this.roots[0]!, O_PATH | constants.O_DIRECTORY)];
    const top = () => stack[stack.length - 1]!;
    const closeAll = (keep?: number) => stack.forEach(fd => fd !== keep && closeSync(fd));
    const queue = [...parts];
    let links = 0;
    try {
      for (;;) {
        if (queue.length === 0) {
          // The walk ended on a directory: the one wanted (`keep`), or a link's target like `a/..`.
          const fd = top();
          if (!options.keep) return this.located(fd, '.', closeAll);
          closeAll(fd);
          return { fd, path: `/proc/self/fd/${fd}`, dir: `/proc/self/fd/${fd}`, name: '.', noFollow: constants.O_NOFOLLOW, close: () => closeSync(fd) };
        }
        const name = queue.shift()!;
        const last = queue.length === 0;
        if (name === '' || name === '.') continue;
        if (name === '..') {
          if (stack.length === 1) throw this.escape(path);
          closeSync(stack.pop()!);
          continue;
        }
        const at = `/proc/self/fd/${top()}/${name}`;
        if (last && !options.followLast) return this.located(top(), name, closeAll);
        let kind: 'link' | 'dir' | 'other' | 'missing';
        let opened: number | undefined;
        if (!last || options.keep) {
          // A directory on the way: opening it (never through a link) is the common case, so
          // try that first; only a failure needs a closer look.
          try {
            opened = openSync(at, DIR_FLAGS);
          } catch (error) {
            const code = codeOf(error);
            if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ELOOP') throw error;
          }
        }
        if (opened !== undefined) {
          stack.push(opened);
          continue;
        }
        try {
          const stat = lstatSync(at);
          kind = stat.isSymbolicLink() ? 'link' : stat.isDirectory() ? 'dir' : 'other';
        } catch (error) {
          if (codeOf(error) !== 'ENOENT') throw error;
          kind = 'missing';
        }
        if (kind === 'link') {
          if (++links > MAX_LINKS) throw errno('ELOOP', `too many levels of symbolic links, '${path}'`);
          const target = readlinkSync(at);
          if (isAbsolute(target)) {
            const inside = this.insideParts(target);
            if (!inside) throw this.escape(path, target);
            closeAll(stack[0]);
            stack.length = 1;
            queue.unshift(...inside);
          } else {
            queue.unshift(...target.split('/'));
          }
          continue;
        }
        if (last && !options.keep) return this.located(top(), name, closeAll);
        if (kind === 'missing') {
          if (!options.create) throw errno('ENOENT', `no such file or directory, '${path}'`);
          try {
            mkdirSync(at, { mode: options.mode });
          } catch (error) {
            if (codeOf(error) !== 'EEXIST') throw error;
          }
          queue.unshift(name); // look again: whatever is there now is checked like anything else
          continue;
        }
        if (kind === 'other') throw errno('ENOTDIR', `not a directory, '${path}'`);
        try {
          stack.push(openSync(at, DIR_FLAGS));
        } catch (error) {
          // Swapped for a link (ELOOP) or a file since the lstat: look again.
          if (codeOf(error) !== 'ELOOP' && codeOf(error) !== 'ENOTDIR') throw error;
          if (++links > MAX_LINKS) throw error;
          queue.unshift(name);
        }
      }
    } catch (error) {
      closeAll();
      throw error;
    }
  }

  private located(fd: number, name: string, closeAll: (keep?: number) => void): Located {
    closeAll(fd);
    return { path: `/proc/self/fd/${fd}/${name}`, dir: `/proc/self/fd/${fd}`, name, noFollow: constants.O_NOFOLLOW, close: () => closeSync(fd) };
  }

  /** The components under the root of an absolute link target, or undefined when it is outside. */
  private insideParts(target: string): string[] | undefined {
    for (const root of this.roots) {
      const rel = relative(root, resolve(target));
      // Compared on the resolved target, then walked on its own components: `..` in it is walked too.
      if (!rel.startsWith('..') && !isAbsolute(rel)) {
        const own = target.split('/').filter(Boolean);
        const rootParts = root.split('/').filter(Boolean);
        if (rootParts.every((part, i) => own[i] === part)) return own.slice(rootParts.length);
      }
    }
    return undefined;
  }

  private escape(path: string, target?: string): BrktError {
    const how = target === undefined ? 'a link in it climbs with .. outside' : `a link in it points at ${target}, outside`;
    return new BrktError('io', `Refusing path ${path}: ${how} the root ${this.root}`);
  }
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
