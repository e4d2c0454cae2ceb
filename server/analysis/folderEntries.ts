// Reading a folder, or a small file, without failing on one that vanished or cannot be read: shared by the walks over a
// workspace (workspaceCatalog.ts, in the main bundle; ownServerHelpers.ts, in the TS/JS bundle), so it
// imports nothing of either.
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { dirname } from 'node:path';

/** `start` and the folders above it, nearest first: `levels` above at most, fewer where the file system's root comes first. */
export function foldersUp(start: string, levels: number): string[] {
  const folders = [start];
  for (let folder = start; folders.length <= levels; ) {
    const parent = dirname(folder);
    if (parent === folder) break;
    folders.push((folder = parent));
  }
  return folders;
}

/** A folder's entries; none when it cannot be read. */
export function folderEntries(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A file's bytes when it is at most `maxBytes` long; undefined when it is bigger, vanished or unreadable (a folder). */
export function boundedBytes(path: string, maxBytes: number): Buffer | undefined {
  try {
    if (statSync(path).size > maxBytes) return undefined;
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** A file's text (UTF-8) when it is at most `maxBytes` long; undefined when it is bigger, vanished or unreadable. */
export function boundedText(path: string, maxBytes: number): string | undefined {
  return boundedBytes(path, maxBytes)?.toString('utf8');
}
