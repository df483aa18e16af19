export type { Unwatch, WatchOptions } from "./backend.ts";
export { RegistryError } from "./errors.ts";
export { applyMigrations, MIGRATIONS, type Migration } from "./migrations.ts";
export { removeOrphanedArtifacts } from "./orphans.ts";
export type { PromotionPolicy } from "./promotion-policy.ts";
export type {
  ModelVersion,
  ProductionModel,
  RunOutcome,
  RunProgress,
  RunStatus,
  Stage,
  TrainingRun,
  TrainScope,
  ValidationMetrics,
} from "./records.ts";
export { type Registration, Registry, type StageChange } from "./registry.ts";
export { removeStalePartials } from "./stale-partials.ts";
