import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ARTIFACT_FILES, listArtifactFolders } from "../artifact/index.ts";
import type { ModelVersion, Registry } from "../registry/index.ts";

/** One saved model a source offers to serve: its model name, a version label, and its artifact folder. */
export interface ModelRef {
  name: string;
  version: string;
  folder: string;
  /** The registry's id of this version, for a ref from the registry. */
  id?: number;
}

/**
 * Where the server finds the models to serve. It lists refs in order of preference; for each model name the
 * first ref that loads serves (so a source can offer an older version behind a newer one).
 */
export type ModelSource = () => Promise<ModelRef[]>;

export interface SourceLog {
  warn(message: string): void;
}

function modelName(folder: string): string {
  const file = join(folder, ARTIFACT_FILES.meta);
  const meta: unknown = JSON.parse(readFileSync(file, "utf8"));
  const name = (meta as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name === "") throw new Error(`${file} has no model name`);
  return name;
}

/**
 * Every artifact folder under `root`, newest first, named by its meta.json and versioned by its folder
 * name. A folder whose meta.json cannot be read is skipped with a warning; the loader checks the rest.
 */
export function artifactDirectorySource(root: string, log: SourceLog): ModelSource {
  return async () => {
    const refs: ModelRef[] = [];
    for (const folder of listArtifactFolders(root).reverse()) {
      try {
        refs.push({ name: modelName(folder), version: basename(folder), folder });
      } catch (error) {
        log.warn(`skipping ${folder}: ${(error as Error).message}`);
      }
    }
    return refs;
  };
}

/** How a registry version is labelled where it serves: "v3". */
export const registryVersionLabel = (version: number): string => `v${version}`;

function registryRef(model: ModelVersion): ModelRef {
  return {
    name: model.name,
    version: registryVersionLabel(model.version),
    folder: model.folder,
    id: model.id,
  };
}

/**
 * The registry's production version of each model name, each followed by the versions that served before
 * it (newest first): when the production version fails to load, the one it replaced keeps serving.
 */
export function registrySource(registry: Pick<Registry, "list">): ModelSource {
  return async () => {
    const all = registry.list();
    const byId = new Map(all.map((model) => [model.id, model]));
    const refs: ModelRef[] = [];
    for (const production of all.filter((model) => model.stage === "production")) {
      const seen = new Set<number>();
      let model: ModelVersion | undefined = production;
      while (model !== undefined && !seen.has(model.id)) {
        seen.add(model.id);
        refs.push(registryRef(model));
        model = model.previous_production_id === null ? undefined : byId.get(model.previous_production_id);
      }
    }
    return refs;
  };
}
