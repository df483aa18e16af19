import type { Config } from "../config/index.ts";
import { loadSeries, periodDate, type Series } from "../data/index.ts";
import { averageIntervalMetrics, type IntervalMetrics } from "../intervals/index.ts";
import { averageMetrics, type ErrorMetrics, errorMetrics } from "../metrics/index.ts";
import type { EnsembleBandMethod } from "./ensemble-bands.ts";
import { largest, smallest } from "./extremes.ts";
import { fitPanel, type Panel } from "./panel.ts";
import { resolveSeason } from "./season.ts";
import { sizedForBacktest } from "./sizing.ts";

export interface CvOptions {
  horizon: number;
  /** Forecast origins per series; the last is `horizon` before the end of the data. */
  windows: number;
  /** Periods between origins (default: the horizon). */
  step: number;
  autoSize: boolean;
}

export interface CvOriginReport {
  /** The date of the last observation before the origin (the first series' that has this origin). */
  cutoff: string;
  model: ErrorMetrics;
  members: Record<string, ErrorMetrics>;
}

export interface CvReport {
  data: string;
  series: number;
  frequency: string;
  horizon: number;
  season: number;
  step: number;
  window_size: number;
  origins: CvOriginReport[];
  /** Point metrics over every origin, and interval scores at `model.levels`, each origin calibrated on the others. */
  model: ErrorMetrics & IntervalMetrics;
  members: Record<string, ErrorMetrics & IntervalMetrics>;
  /** The ensemble's bands both ways (as backtest's `ensemble_intervals`), cross-validated, and the one chosen. */
  ensemble_intervals: {
    methods: EnsembleBandMethod[];
    conformal: IntervalMetrics;
    head_scaled?: IntervalMetrics;
  };
  seconds: number;
  warnings: string[];
}

/** One row of the per-series file: a forecast step of one series at one origin. */
export interface CvRow {
  series_id: string;
  cutoff: string;
  date: string;
  actual: number;
  ensemble: number;
  members: number[];
}

/** Per series and origin rank (0 = the earliest), the index of that origin in the series' list, or -1. */
function originIndex(panel: Panel, s: number, rank: number, ranks: number): number {
  const list = panel.origins[s];
  const k = list.length - ranks + rank;
  return k >= 0 ? k : -1;
}

/**
 * Rolling-origin cross-validation as statsforecast's `cross_validation`: `windows` origins spaced `step`
 * apart, the last `horizon` before the end. Statistical members refit at every origin (they fit each history
 * they forecast from); the window members (linear, networks) train once on the data before the first origin
 * (early stopping on the windows after it) and forecast every origin from its own history. The ensemble at
 * each origin is weighted by the earlier origins only (equal weights at the first), so no origin sees its own
 * future.
 */
export async function crossValidate(
  requested: Config,
  options: CvOptions,
): Promise<{ report: CvReport; rows: CvRow[] }> {
  const started = performance.now();
  const { horizon, windows, step } = options;
  const span = horizon + (windows - 1) * step;
  const loaded = await loadSeries(requested.data, { holdout: span });
  const season = resolveSeason(requested.data.season, loaded.frequency);
  const shortestFit = smallest(loaded.series.map((s) => s.values.length - span));
  const config = options.autoSize ? sizedForBacktest(requested, season, shortestFit) : requested;
  const groups = config.train.scope === "global" ? [loaded.series] : loaded.series.map((one) => [one]);
  const panels: Panel[] = [];
  for (const group of groups) {
    const panel = await fitPanel(
      group,
      {
        config,
        frequency: loaded.frequency,
        season,
        horizon,
        split: {
          windowSize: config.data.window_size,
          horizon,
          validationFraction: config.data.validation_fraction,
          validationLength: span,
        },
      },
      // The command scores every series at every origin it is asked for, however many there are.
      { members: config.model.members, ensemble: config.model.ensemble, windows, step, cvSeries: 0 },
    );
    panels.push(panel);
  }
  const names = config.model.members;
  const ranks = largest(panels.flatMap((p) => p.origins.map((o) => o.length)));
  const perRank = Array.from({ length: ranks }, () => ({
    cutoff: "",
    model: [] as ErrorMetrics[],
    members: names.map(() => [] as ErrorMetrics[]),
  }));
  const overall = { model: [] as ErrorMetrics[], members: names.map(() => [] as ErrorMetrics[]) };
  const rows: CvRow[] = [];
  panels.forEach((panel, g) => {
    groups[g].forEach((one: Series, s) => {
      const scale = panel.scales[s];
      const pooled = {
        actual: [] as number[],
        model: [] as number[],
        members: names.map(() => [] as number[]),
      };
      for (let rank = 0; rank < ranks; rank++) {
        const k = originIndex(panel, s, rank, ranks);
        if (k < 0) continue;
        const origin = panel.origins[s][k];
        const actual = panel.actuals[s][k];
        const cutoff = periodDate(one, origin - 1);
        if (perRank[rank].cutoff === "") perRank[rank].cutoff = cutoff;
        perRank[rank].model.push(errorMetrics(actual, panel.ensembleCv[s][k], scale));
        pooled.actual.push(...actual);
        pooled.model.push(...panel.ensembleCv[s][k]);
        panel.runs.forEach((run, m) => {
          perRank[rank].members[m].push(errorMetrics(actual, run.cv[s][k], scale));
          pooled.members[m].push(...run.cv[s][k]);
        });
        actual.forEach((value, step) => {
          rows.push({
            series_id: one.id,
            cutoff,
            date: periodDate(one, origin + step),
            actual: value,
            ensemble: panel.ensembleCv[s][k][step],
            members: panel.runs.map((run) => run.cv[s][k][step]),
          });
        });
      }
      if (pooled.actual.length === 0) return;
      overall.model.push(errorMetrics(pooled.actual, pooled.model, scale));
      names.forEach((_, m) => {
        overall.members[m].push(errorMetrics(pooled.actual, pooled.members[m], scale));
      });
    });
  });
  const byName = (lists: ErrorMetrics[][]) =>
    Object.fromEntries(names.map((name, m) => [name, averageMetrics(lists[m])]));
  const report: CvReport = {
    data: config.data.csv_path,
    series: loaded.series.length,
    frequency: loaded.frequency,
    horizon,
    season,
    step,
    window_size: config.data.window_size,
    origins: perRank.map((r) => ({
      cutoff: r.cutoff,
      model: averageMetrics(r.model),
      members: byName(r.members),
    })),
    model: {
      ...averageMetrics(overall.model),
      ...averageIntervalMetrics(panels.map((p) => p.cvIntervals.ensemble)),
    },
    members: Object.fromEntries(
      names.map((name, m) => [
        name,
        {
          ...averageMetrics(overall.members[m]),
          ...averageIntervalMetrics(panels.map((p) => p.cvIntervals.members[name])),
        },
      ]),
    ),
    ensemble_intervals: ensembleBandsReport(panels),
    seconds: (performance.now() - started) / 1000,
    warnings: loaded.warnings,
  };
  return { report, rows };
}

function ensembleBandsReport(panels: readonly Panel[]): CvReport["ensemble_intervals"] {
  const headScaled = panels
    .map((panel) => panel.ensembleBands.cv.head_scaled)
    .filter((m): m is IntervalMetrics => m !== null);
  return {
    methods: [...new Set(panels.map((panel) => panel.ensembleBands.method))],
    conformal: averageIntervalMetrics(panels.map((panel) => panel.ensembleBands.cv.conformal)),
    ...(headScaled.length === panels.length ? { head_scaled: averageIntervalMetrics(headScaled) } : {}),
  };
}

/** The per-series rows as CSV: `series_id,cutoff,date,actual,ensemble,<member>...`. */
export function cvRowsCsv(rows: readonly CvRow[], members: readonly string[]): string {
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = [["series_id", "cutoff", "date", "actual", "ensemble", ...members].join(",")];
  for (const r of rows) {
    lines.push([quote(r.series_id), r.cutoff, r.date, r.actual, r.ensemble, ...r.members].join(","));
  }
  return `${lines.join("\n")}\n`;
}
