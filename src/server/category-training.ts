/**
 * The training contract of the original Python service, whose client posts `{"categories": [...]}` to
 * /api/train (or nothing to /api/train_all) and expects the answer once training has finished. Each category
 * is a series trained on its own (per-series scope); the request waits for the run and for the swap of the
 * models it promoted.
 */
import type { Registry } from "../registry/index.ts";
import { HttpError } from "./errors.ts";
import { seriesModelName } from "./serving-models.ts";
import type { TrainingRuns } from "./training-runs.ts";

export interface CategoryTrainingDeps {
  runs: TrainingRuns;
  registry: Registry;
  /** The series ids of the configured sales history, read as training reads them. */
  listSeries: () => Promise<string[]>;
}

/** What the original's client reads (`status`, `trained`), plus the run and the versions it registered. */
export interface CategoriesTrained {
  status: "success";
  trained: string[];
  run_id: string;
  versions: number[];
  experiment_name?: string;
}

const PER_SERIES = "train.scope=per_series";

function checkCategories(categories: readonly string[], known: readonly string[]): void {
  if (categories.length === 0) {
    throw new HttpError(422, "invalid_categories", "categories must name at least one category");
  }
  const knownSet = new Set(known);
  const unknown = [...new Set(categories)].filter((category) => !knownSet.has(category));
  if (unknown.length > 0) {
    const names = unknown.map((category) => `'${category}'`).join(", ");
    throw new HttpError(
      422,
      "unknown_category",
      `categories names unknown categor${unknown.length === 1 ? "y" : "ies"} ${names} (known: ${known.join(", ") || "none"})`,
    );
  }
}

/**
 * Trains one model per category (all series when `categories` is "all"), waits for the run and answers as the
 * original did. An unknown category is a 422 naming it, before any run starts; a failed run is a 500 with the
 * run's error and id.
 */
export async function trainCategories(
  deps: CategoryTrainingDeps,
  categories: readonly string[] | "all",
  experimentName?: string,
): Promise<CategoriesTrained> {
  if (categories !== "all") checkCategories(categories, await deps.listSeries());
  const series = categories === "all" ? [] : [...new Set(categories)];
  const run = await deps.runs.startAndWait({ series, overrides: [PER_SERIES] });
  if (run.status !== "succeeded") {
    throw new HttpError(
      500,
      "training_failed",
      `training run ${run.id} failed: ${run.error ?? "unknown error"}`,
    );
  }
  const names = new Set<string>();
  for (const id of run.model_ids) names.add((await deps.registry.get(id)).name);
  const trained = (categories === "all" ? await deps.listSeries() : series).filter((id) =>
    names.has(seriesModelName(id)),
  );
  return {
    status: "success",
    trained,
    run_id: run.id,
    versions: run.model_ids,
    ...(experimentName === undefined ? {} : { experiment_name: experimentName }),
  };
}
