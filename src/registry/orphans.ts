import { rmSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { listArtifactFolders } from "../artifact/index.ts";
import type { Registry } from "./registry.ts";

/**
 * Removes the artifact folders under `root` that no registered version names and that are older than
 * `maxAgeMs`, and returns their paths. A save renames its folder into place before the registry row is
 * written, so a process killed between the two leaves such a folder; a younger one may belong to a
 * training still running elsewhere, and is kept.
 */
export async function removeOrphanedArtifacts(
  root: string,
  registry: Pick<Registry, "list">,
  maxAgeMs: number,
  at = Date.now(),
): Promise<string[]> {
  const registered = new Set((await registry.list()).map((model) => resolve(model.folder)));
  const orphans = listArtifactFolders(root).filter((folder) => {
    if (registered.has(resolve(folder))) return false;
    const stat = statSync(folder, { throwIfNoEntry: false });
    return stat !== undefined && at - stat.mtimeMs > maxAgeMs;
  });
  for (const folder of orphans) rmSync(folder, { recursive: true, force: true });
  return orphans;
}
