import { type LoadOptions, type LoadReport, loadModels } from "./load-models.ts";
import type { ModelSource } from "./model-source.ts";
import type { ServingModels } from "./serving-models.ts";

/** A version the source prefers that could not be loaded, so an older one (or none) serves its name. */
export interface LoadFailure {
  name: string;
  version: string;
  id?: number;
  reason: string;
  /** When it last failed (ISO 8601). */
  at: string;
}

/**
 * Keeps the serving models in step with a source (the registry's production versions): `sync()` loads what
 * changed since the last time. Syncs run one after another, never interleaved, so two promotions in quick
 * succession end with the later one serving, and the last sync's load failures are kept for GET /api/health.
 */
export class ModelSync {
  private queue: Promise<unknown> = Promise.resolve();
  private lastFailures: LoadFailure[] = [];

  constructor(
    private readonly source: ModelSource,
    private readonly models: ServingModels,
    private readonly options: LoadOptions,
  ) {}

  /** Loads what the source offers that does not serve yet; resolves once the new versions serve. */
  sync(): Promise<LoadReport> {
    const run = this.queue.then(() => this.load());
    this.queue = run.catch(() => {});
    return run;
  }

  /** The preferred versions that failed to load at the last sync, one per model name. */
  failures(): LoadFailure[] {
    return [...this.lastFailures];
  }

  private async load(): Promise<LoadReport> {
    let listed = true;
    const source: ModelSource = async () => {
      try {
        return await this.source();
      } catch (error) {
        listed = false;
        throw error;
      }
    };
    const report = await loadModels(source, this.models, this.options);
    // A source that could not be read says nothing new about which versions fail.
    if (!listed) return report;
    const at = new Date().toISOString();
    const byName = new Map<string, LoadFailure>();
    for (const { ref, reason } of report.failed) {
      if (!byName.has(ref.name))
        byName.set(ref.name, { name: ref.name, version: ref.version, id: ref.id, reason, at });
    }
    this.lastFailures = [...byName.values()];
    return report;
  }
}
