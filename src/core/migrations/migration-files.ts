// Where migrations wait for the next boot, and how they are read (migrations.md 3). brkt ships
// each migration as a JSON document, optionally LZ4-frame compressed when its name ends in `.lz4`.
import { BrktError, messageOf } from '../errors';
import { decodeLz4Frames } from '../lz4/frame-decoder';
import { parseMigrationDocument, type MigrationDocument } from './document';
import type { Platform } from '../../platform/types';

/** The manifest `brkt update` saves beside the migrations; its `migrations` map decides what runs. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * Names in the manifest are TUF target names and are used as file names as they are, so they
 * must be plain names: no directories, nothing hidden.
 */
export function migrationPath(directory: string, name: string): string {
  if (!name || name.includes('/') || name.startsWith('.') || name.includes('\0')) {
    throw new BrktError('invalid-input', `Refusing migration name '${name}': not a plain file name`);
  }
  return `${directory}/${name}`;
}

async function* once(data: Uint8Array) {
  yield data;
}

/** Reads, decompresses (`.lz4`) and checks one migration document. */
export async function loadMigration(platform: Platform, directory: string, name: string): Promise<MigrationDocument> {
  const path = migrationPath(directory, name);
  let bytes: Uint8Array;
  try {
    bytes = await platform.files.read(path);
  } catch (error) {
    throw new BrktError('not-found', `Migration '${name}' not found in ${directory}: ${messageOf(error)}`);
  }
  if (name.endsWith('.lz4')) {
    const parts: Uint8Array[] = [];
    for await (const chunk of decodeLz4Frames(once(bytes), name, platform.env('TMPDIR'))) parts.push(chunk);
    bytes = Buffer.concat(parts);
  }
  return parseMigrationDocument(new TextDecoder().decode(bytes), name);
}
