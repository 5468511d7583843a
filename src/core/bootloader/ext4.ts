// A small read-only ext4 reader: enough to read one file (os-release) out of a ROOT image by
// path, following symlinks, without mounting it. Extent-mapped and inline files, classic block
// maps (direct and indirect), linear and hashed directories (a hashed directory's blocks also
// read as linear ones).

/** Reads `length` bytes at `position` of the file system image. */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

const MAGIC = 0xef53;
const INCOMPAT_64BIT = 0x80;
const EXTENTS_FL = 0x80000;
const INLINE_DATA_FL = 0x10000000;
const S_IFMT = 0xf000;
const S_IFDIR = 0x4000;
const S_IFLNK = 0xa000;
const ROOT_INODE = 2;

interface Superblock {
  blockSize: number;
  inodesPerGroup: number;
  inodeSize: number;
  descSize: number;
  groupTableBlock: number;
}

interface Inode {
  mode: number;
  size: number;
  flags: number;
  block: Uint8Array;
}

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

export class Ext4Error extends Error {}

export class Ext4Reader {
  private constructor(private readonly readAt: ReadAt, private readonly sb: Superblock) {}

  /** The reader, or undefined when the bytes hold no ext2/3/4 file system. */
  static async open(readAt: ReadAt): Promise<Ext4Reader | undefined> {
    const raw = await readAt(1024, 1024);
    if (raw.length < 1024 || u16(raw, 0x38) !== MAGIC) return undefined;
    const logBlock = u32(raw, 0x18);
    if (logBlock > 6) return undefined;
    const blockSize = 1024 << logBlock;
    const incompat = u32(raw, 0x60);
    const revision = u32(raw, 0x4c);
    return new Ext4Reader(readAt, {
      blockSize,
      inodesPerGroup: u32(raw, 0x28),
      inodeSize: revision === 0 ? 128 : u16(raw, 0x58),
      descSize: incompat & INCOMPAT_64BIT ? Math.max(32, u16(raw, 0xfe)) : 32,
      groupTableBlock: u32(raw, 0x14) + 1,
    });
  }

  private async readBlock(block: number): Promise<Uint8Array> {
    return this.readAt(block * this.sb.blockSize, this.sb.blockSize);
  }

  private async inode(number: number): Promise<Inode> {
    const { inodesPerGroup, inodeSize, descSize, groupTableBlock, blockSize } = this.sb;
    const group = Math.floor((number - 1) / inodesPerGroup);
    const desc = await this.readAt(groupTableBlock * blockSize + group * descSize, descSize);
    const tableLo = u32(desc, 8);
    const tableHi = descSize >= 64 ? u32(desc, 0x28) : 0;
    const table = tableHi * 2 ** 32 + tableLo;
    const raw = await this.readAt(table * blockSize + ((number - 1) % inodesPerGroup) * inodeSize, 128);
    return { mode: u16(raw, 0), size: u32(raw, 0x6c) * 2 ** 32 + u32(raw, 4), flags: u32(raw, 0x20), block: raw.slice(0x28, 0x28 + 60) };
  }

  /** Physical blocks of an extent tree node, as [logical, physical, count] runs. */
  private async extentRuns(node: Uint8Array, runs: Array<[number, number, number]>, depthLimit = 8): Promise<void> {
    if (u16(node, 0) !== 0xf30a) throw new Ext4Error('bad extent header');
    const entries = u16(node, 2);
    const depth = u16(node, 6);
    for (let i = 0; i < entries; i++) {
      const at = 12 + i * 12;
      if (depth === 0) {
        let length = u16(node, at + 4);
        const uninitialized = length > 32768;
        if (uninitialized) length -= 32768;
        const start = u16(node, at + 6) * 2 ** 32 + u32(node, at + 8);
        runs.push([u32(node, at), uninitialized ? -1 : start, length]);
      } else {
        if (depthLimit === 0) throw new Ext4Error('extent tree too deep');
        const leaf = u16(node, at + 8) * 2 ** 32 + u32(node, at + 4);
        await this.extentRuns(await this.readBlock(leaf), runs, depthLimit - 1);
      }
    }
  }

  /** Runs of a classic block map: 12 direct blocks, then single, double and triple indirect. */
  private async blockMapRuns(block: Uint8Array, blocks: number): Promise<Array<[number, number, number]>> {
    const runs: Array<[number, number, number]> = [];
    const perBlock = this.sb.blockSize / 4;
    let logical = 0;
    const add = (physical: number) => {
      if (logical < blocks) runs.push([logical, physical === 0 ? -1 : physical, 1]);
      logical++;
    };
    const indirect = async (physical: number, level: number): Promise<void> => {
      if (physical === 0) {
        logical += perBlock ** level;
        return;
      }
      const table = await this.readBlock(physical);
      for (let i = 0; i < perBlock && logical < blocks; i++) {
        if (level === 1) add(u32(table, i * 4));
        else await indirect(u32(table, i * 4), level - 1);
      }
    };
    for (let i = 0; i < 12; i++) add(u32(block, i * 4));
    for (let level = 1; level <= 3 && logical < blocks; level++) await indirect(u32(block, (11 + level) * 4), level);
    return runs;
  }

  private async contents(inode: Inode, limit = Number.MAX_SAFE_INTEGER): Promise<Uint8Array> {
    const size = Math.min(inode.size, limit);
    if (inode.flags & INLINE_DATA_FL) return inode.block.slice(0, Math.min(size, 60));
    const { blockSize } = this.sb;
    const blocks = Math.ceil(size / blockSize);
    const runs = inode.flags & EXTENTS_FL ? [] as Array<[number, number, number]> : await this.blockMapRuns(inode.block, blocks);
    if (inode.flags & EXTENTS_FL) await this.extentRuns(inode.block, runs);
    const out = new Uint8Array(size);
    for (const [logical, physical, count] of runs) {
      if (physical < 0 || logical >= blocks) continue; // holes and unwritten extents read as zeros
      const n = Math.min(count, blocks - logical);
      const bytes = await this.readAt(physical * blockSize, n * blockSize);
      out.set(bytes.subarray(0, Math.min(bytes.length, size - logical * blockSize)), logical * blockSize);
    }
    return out;
  }

  private async lookup(dir: Inode, name: string): Promise<number | undefined> {
    const data = await this.contents(dir, 64 << 20);
    const wanted = new TextEncoder().encode(name);
    // An inline directory starts with its parent's inode number instead of "." and "..".
    for (let at = dir.flags & INLINE_DATA_FL ? 4 : 0; at + 8 <= data.length;) {
      const inode = u32(data, at);
      const recLen = u16(data, at + 4);
      const nameLen = data[at + 6]!;
      if (recLen < 8) break;
      if (inode !== 0 && nameLen === wanted.length && wanted.every((byte, i) => data[at + 8 + i] === byte)) return inode;
      at += recLen;
    }
    return undefined;
  }

  /** The contents of the file at absolute `path` (symlinks followed), or undefined when it does not exist. */
  async readFile(path: string, limit?: number): Promise<Uint8Array | undefined> {
    let parts = path.split('/').filter(Boolean);
    let stack: number[] = [ROOT_INODE];
    let links = 0;
    while (parts.length) {
      const [name, ...rest] = parts;
      parts = rest;
      if (name === '.') continue;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const dir = await this.inode(stack.at(-1)!);
      if ((dir.mode & S_IFMT) !== S_IFDIR) return undefined;
      const number = await this.lookup(dir, name!);
      if (number === undefined) return undefined;
      const inode = await this.inode(number);
      if ((inode.mode & S_IFMT) === S_IFLNK) {
        if (++links > 16) throw new Ext4Error(`too many symbolic links in ${path}`);
        const target = new TextDecoder().decode(inode.size < 60 && !(inode.flags & EXTENTS_FL) ? inode.block.slice(0, inode.size) : await this.contents(inode));
        if (target.startsWith('/')) stack = [ROOT_INODE];
        parts = [...target.split('/').filter(Boolean), ...parts];
        continue;
      }
      stack.push(number);
    }
    const inode = await this.inode(stack.at(-1)!);
    if ((inode.mode & S_IFMT) === S_IFDIR) return undefined;
    return this.contents(inode, limit);
  }
}

/** os-release of an ext4 root image (`/usr/lib/os-release`, else `/etc/os-release`), or undefined. */
export async function ext4OsRelease(readAt: ReadAt): Promise<string | undefined> {
  let reader;
  try {
    reader = await Ext4Reader.open(readAt);
    if (!reader) return undefined;
    for (const path of ['/usr/lib/os-release', '/etc/os-release']) {
      const bytes = await reader.readFile(path, 64 * 1024);
      if (bytes) return new TextDecoder().decode(bytes);
    }
  } catch (error) {
    // A torn or foreign image holds no release; read errors of the device still throw.
    if (error instanceof Ext4Error) return undefined;
    throw error;
  }
  return undefined;
}
