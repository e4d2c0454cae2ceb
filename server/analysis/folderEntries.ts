// Reading a folder, or a small file, without failing on one that vanished or cannot be read: shared by the walks over a
// workspace (workspaceCatalog.ts, in the main bundle; ownServerHelpers.ts, in the TS/JS bundle), so it
// imports nothing of either.
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';

/** A folder's entries; none when it cannot be read. */
export function folderEntries(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A file's text when it is at most `maxBytes` long; undefined when it is bigger, vanished or unreadable. */
export function boundedText(path: string, maxBytes: number): string | undefined {
  try {
    if (statSync(path).size > maxBytes) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
