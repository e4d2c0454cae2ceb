// Reading a folder without failing on one that vanished or cannot be read: shared by the walks over a
// workspace (workspaceCatalog.ts, in the main bundle; ownServerHelpers.ts, in the TS/JS bundle), so it
// imports nothing of either.
import { readdirSync, type Dirent } from 'node:fs';

/** A folder's entries; none when it cannot be read. */
export function folderEntries(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}
