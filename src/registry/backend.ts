import type { Artifact, ArtifactFiles } from "../artifact/index.ts";
import type {
  ModelVersion,
  RunProgress,
  RunStatus,
  TrainingRun,
  TrainScope,
  ValidationMetrics,
} from "./records.ts";

export interface NewModelRow {
  name: string;
  created_at: string;
  folder: string;
  onnx_sha256: string;
  metrics: ValidationMetrics;
  config: Record<string, unknown>;
}

/** The rows of the models table, inside one transaction. No checks of their own: the Registry makes them. */
export interface ModelRows {
  find(id: number): Promise<ModelVersion | undefined>;
  byFolder(folder: string): Promise<ModelVersion | undefined>;
  productionOf(name: string): Promise<ModelVersion | undefined>;
  all(): Promise<ModelVersion[]>;
  names(): Promise<string[]>;
  /** Adds the next version of `model.name` as a candidate; a backend that keeps model files keeps `files`. */
  insertCandidate(model: NewModelRow, files: ArtifactFiles): Promise<ModelVersion>;
  archive(id: number): Promise<void>;
  /** Only after the name's current production version is archived (one production per name). */
  makeProduction(id: number, previousProductionId: number | null, at: string): Promise<void>;
}

/** The rows of the training runs, inside one transaction. */
export interface RunRows {
  find(id: string): Promise<TrainingRun | undefined>;
  active(scope: TrainScope): Promise<TrainingRun | undefined>;
  allActive(): Promise<TrainingRun[]>;
  insert(id: string, scope: TrainScope, at: string): Promise<void>;
  start(id: string, at: string): Promise<void>;
  setProgress(id: string, progress: RunProgress): Promise<void>;
  finish(id: string, status: RunStatus, error: string | null, at: string): Promise<void>;
  addModel(runId: string, modelId: number): Promise<void>;
}

export interface RegistryTransaction {
  models: ModelRows;
  runs: RunRows;
}

/** Stops a watch; resolves once nothing more will be heard. */
export type Unwatch = () => Promise<void>;

export interface WatchOptions {
  /** How often a backend that cannot push a change (SQLite) looks for one. */
  pollMs: number;
  /** A watch that fails (a lost connection) says so here and keeps trying. */
  onError: (error: Error) => void;
}

/**
 * Where a registry keeps its rows and model files: an SQLite file beside the artifact folders, or a
 * PostgreSQL database holding the files too. Every write is one transaction serialized with every other
 * writer, in this process or another.
 */
export interface RegistryBackend {
  /** For messages: the file's path, or the database URL without its password. */
  readonly location: string;
  write<T>(work: (tx: RegistryTransaction) => Promise<T>): Promise<T>;
  read<T>(work: (tx: RegistryTransaction) => Promise<T>): Promise<T>;
  /** The verified artifact of a registered version, from the disk or from the database. */
  artifact(model: ModelVersion): Promise<Artifact>;
  /** Calls `listener` after another process (or this one) changed which versions serve. */
  watch(listener: () => void, options: WatchOptions): Unwatch;
  /** Whether the store answers a query: what readiness asks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
