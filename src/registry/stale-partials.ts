import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/** The temp folder name that writeFolderAtomic fills before renaming it into place. */
const PARTIAL_FOLDER = /^\.[0-9a-f]+\.partial$/;

/** Older than this, a partial folder cannot belong to a save still in progress (a save takes seconds). */
const STALE_PARTIAL_MS = 10 * 60 * 1000;

/**
 * Removes the `.partial` folders that killed processes left under the artifacts root and returns
 * their paths. Such folders were never registered (the registry refuses them); young ones are kept
 * because another process may be filling them right now.
 */
export function removeStalePartials(root: string, maxAgeMs = STALE_PARTIAL_MS, at = Date.now()): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return []; // no artifacts folder yet
  }
  const stale = entries
    .filter((name) => PARTIAL_FOLDER.test(name))
    .map((name) => join(root, name))
    .filter((folder) => {
      // gone meanwhile: its save finished and renamed it
      const stat = statSync(folder, { throwIfNoEntry: false });
      return stat !== undefined && at - stat.mtimeMs > maxAgeMs;
    });
  for (const folder of stale) rmSync(folder, { recursive: true, force: true });
  return stale;
}
