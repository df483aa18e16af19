import type { Config, Frequency } from "../config/index.ts";
import { holdoutSplit, loadSeries, type Series } from "../data/index.ts";
import {
  buildSeriesFeatures,
  FEATURE_USES,
  loadFeatureSources,
  type SeriesFeatures,
  selectFeatures,
} from "../features/index.ts";
import type { FitContext } from "../forecasters/index.ts";
import {
  averageIntervalMetrics,
  bandAround,
  type ConformalScores,
  type IntervalMetrics,
  intervalMetrics,
  levelKey,
  seriesQuantiles,
} from "../intervals/index.ts";
import {
  averageMetrics,
  type ErrorMetrics,
  errorMetrics,
  naiveForecast,
  seasonalNaiveForecast,
  seasonalNaiveScale,
} from "../metrics/index.ts";
import { type EnsembleBandMethod, headScaledFinalBands } from "./ensemble-bands.ts";
import { largest, smallest } from "./extremes.ts";
import { headCvIntervals } from "./head-intervals.ts";
import { type HolidayErrors, holidayPeriodErrors } from "./holiday-errors.ts";
import { fitPanel, type Panel } from "./panel.ts";
import { resolveSeason } from "./season.ts";
import { sizedForBacktest } from "./sizing.ts";

export interface BacktestOptions {
  /** Test points at the end of every series (the protocol's H); the model's horizon is set to it. */
  holdout: number;
  /** Size the window from the data's season, horizon and length rather than taking the config's. */
  autoSize: boolean;
  /** A country whose holiday periods in the holdout get their own errors (default: data.holidays'). */
  holidayCountry?: string;
}

/** Point metrics and, for the configured levels, `coverage_L`, `msis_L` and `pinball`. */
export type HoldoutMetrics = ErrorMetrics & IntervalMetrics;

export type MemberReport = HoldoutMetrics & { seconds: number };

export interface BacktestReport {
  data: string;
  series: number;
  frequency: string;
  horizon: number;
  season: number;
  window_size: number;
  scope: string;
  normalization: string;
  /** The network members' architecture (`model.architecture`). */
  architecture: string;
  /** `model.ensemble`, and the method that combined the members (what `auto` chose, per model). */
  ensemble: string;
  ensemble_methods: string[];
  /** The interval levels scored (`model.levels`). */
  levels: number[];
  /** The ensemble's metrics on the holdout, its intervals' (made as `ensemble_intervals.methods` says) among them. */
  model: HoldoutMetrics;
  /**
   * The ensemble's intervals both ways, on the holdout and cross-validated at the origins, and the way each
   * model's were made (chosen on the cross-validation): conformal on the series' scales, or scaled by a
   * network member's quantile head (absent where no member has one).
   */
  ensemble_intervals: {
    methods: EnsembleBandMethod[];
    conformal: { holdout: IntervalMetrics; cv: IntervalMetrics };
    head_scaled?: { member: string; holdout: IntervalMetrics; cv: IntervalMetrics };
  };
  /** Each member alone on the holdout, with the seconds it took to fit and forecast. */
  members: Record<string, MemberReport>;
  naive: ErrorMetrics;
  seasonal_naive: ErrorMetrics;
  /**
   * The features the members were given (data.calendar, data.holidays, data.covariates_path), and which of
   * them each member that reads features chose to use, with how many models (of every per-series one) chose so.
   */
  features: { names: string[]; known_future: string[]; use: Record<string, Record<string, number>> };
  /** The holdout's holiday periods alone (a holiday of `holidayCountry` falls in them), when asked for. */
  holiday_periods?: HolidayErrors;
  /**
   * Cross-validation on the fitting part only (what chose the weights): origins per series and metrics, the
   * interval scores with each origin calibrated on the others.
   */
  cv: { origins: number; model: HoldoutMetrics; members: Record<string, HoldoutMetrics> };
  /**
   * With `model.quantile_head`: the interval scores of each network member's quantile head, on the holdout
   * and at the cross-validation origins, beside the conformal ones its entry in `members` carries.
   */
  quantile_head?: { holdout: Record<string, IntervalMetrics>; cv: Record<string, IntervalMetrics> };
  /** The member that would serve the window routes, chosen by cross-validation. */
  window_member: string | null;
  seconds: number;
  warnings: string[];
}

/** The members' and the ensemble's forecasts of the holdout for one group of series (one model). */
function groupPanel(
  group: Series[],
  config: Config,
  frequency: Frequency,
  season: number,
  holdout: number,
  features: SeriesFeatures | undefined,
): Promise<Panel> {
  const context: FitContext = {
    config,
    frequency,
    season,
    horizon: holdout,
    features,
    split: {
      windowSize: config.data.window_size,
      horizon: holdout,
      validationFraction: config.data.validation_fraction,
    },
  };
  return fitPanel(group, context, {
    members: config.model.members,
    ensemble: config.model.ensemble,
    windows: config.train.cv_windows,
    step: holdout,
    cvSeries: config.train.cv_series,
  });
}

/**
 * The accuracy protocol of shared/data/README.md: the last H points of every series are the test set, one
 * forecast origin at the end of the fitting part, MAE/RMSE/sMAPE/MASE per series averaged unweighted, for the
 * ensemble and every member alone, with naive and seasonal naive on the same split. The members see only the
 * fitting parts: their cross-validation and the ensemble's weights never touch the test set.
 */
export async function backtest(requested: Config, options: BacktestOptions): Promise<BacktestReport> {
  const started = performance.now();
  const { holdout } = options;
  const loaded = await loadSeries(requested.data, { holdout });
  const season = resolveSeason(requested.data.season, loaded.frequency);
  const shortestFit = smallest(loaded.series.map((s) => s.values.length - holdout));
  const sized = options.autoSize ? sizedForBacktest(requested, season, shortestFit) : requested;
  // The protocol clips every forecast at 0, whatever the serving config says.
  const config = { ...sized, forecast: { ...sized.forecast, clip_negative: true } };
  const splits = loaded.series.map((s) => holdoutSplit(s, holdout));
  const fits = splits.map(({ fit }) => fit);
  // Features cover every period of the full series (the holdout too: the horizon's known-future values);
  // their scaling is fitted on the fitting parts, and past-only ones are never read for a horizon.
  const sources = await loadFeatureSources(config.data, loaded.frequency, loaded.series);
  const features = sources
    ? buildSeriesFeatures(
        sources,
        loaded.series,
        0,
        fits.map((f) => f.values.length),
      )
    : undefined;
  const indices = loaded.series.map((_, s) => s);
  const groups = config.train.scope === "global" ? [indices] : indices.map((s) => [s]);
  const panels: Panel[] = [];
  for (const group of groups) {
    panels.push(
      await groupPanel(
        group.map((s) => fits[s]),
        config,
        loaded.frequency,
        season,
        holdout,
        features && selectFeatures(features, group),
      ),
    );
  }
  const names = config.model.members;
  const holidayCountry = options.holidayCountry ?? config.data.holidays?.country;
  const ensemble = panels.flatMap((panel) => panel.ensembleFinal);
  const memberForecasts = names.map((_, m) => panels.flatMap((panel) => panel.runs[m].final));
  const perSeries = {
    model: [] as ErrorMetrics[],
    naive: [] as ErrorMetrics[],
    seasonal_naive: [] as ErrorMetrics[],
  };
  const perMember = names.map(() => [] as ErrorMetrics[]);
  const levels = config.model.levels;
  // Each series' MASE scale, which every holdout score divides by.
  const holdoutScales = splits.map(({ fit }) => seasonalNaiveScale(fit.values, season));
  // Each series' place in its panel, for its conformal scores and scale.
  const placeOf = panels.flatMap((panel, g) => panel.finalScales.map((_, s) => ({ g, s })));
  const intervalsOf = (s: number, point: Float64Array, scoresOf: (panel: Panel) => ConformalScores) => {
    const { g, s: inPanel } = placeOf[s];
    const scores = scoresOf(panels[g]);
    const bands = Object.fromEntries(
      levels.map((level) => [
        levelKey(level),
        bandAround(
          point,
          seriesQuantiles(scores, scores.series[inPanel], level),
          panels[g].finalScales[inPanel],
          true,
        ),
      ]),
    );
    return intervalMetrics(splits[s].test.values, point, bands, levels, holdoutScales[s]);
  };
  const conformalModel = splits.map((_, s) =>
    intervalsOf(s, ensemble[s], (panel) => panel.intervalScores.ensemble),
  );
  const headScaledModel = splits.map((_, s) => {
    const { g, s: inPanel } = placeOf[s];
    const headScaled = panels[g].ensembleBands.headScaled;
    if (headScaled === null) return null;
    const bands = headScaledFinalBands(headScaled, inPanel, ensemble[s], levels, true);
    return intervalMetrics(splits[s].test.values, ensemble[s], bands, levels, holdoutScales[s]);
  });
  const intervals = {
    model: splits.map((_, s) =>
      panels[placeOf[s].g].ensembleBands.method === "head_scaled"
        ? (headScaledModel[s] ?? conformalModel[s])
        : conformalModel[s],
    ),
    members: names.map((_, m) =>
      splits.map((_, s) => intervalsOf(s, memberForecasts[m][s], (panel) => panel.intervalScores.members[m])),
    ),
  };
  splits.forEach(({ fit, test }, s) => {
    const scale = holdoutScales[s];
    perSeries.model.push(errorMetrics(test.values, ensemble[s], scale));
    perSeries.naive.push(errorMetrics(test.values, naiveForecast(fit.values, holdout), scale));
    perSeries.seasonal_naive.push(
      errorMetrics(test.values, seasonalNaiveForecast(fit.values, holdout, season), scale),
    );
    names.forEach((_, m) => {
      perMember[m].push(errorMetrics(test.values, memberForecasts[m][s], scale));
    });
  });
  const headHoldout = Object.fromEntries(
    names.flatMap((name, m) => {
      const runs = panels.map((panel) => panel.runs[m]);
      if (!runs.every((run) => run.headBands)) return [];
      const finals = runs.flatMap((run) => run.headBands?.final ?? []);
      const perSeries = splits.map(({ test }, s) =>
        intervalMetrics(test.values, memberForecasts[m][s], finals[s], levels, holdoutScales[s]),
      );
      return [[name, averageIntervalMetrics(perSeries)]];
    }),
  );
  const headCv = panels.map((panel) => headCvIntervals(panel, levels));
  const members = Object.fromEntries(
    names.map((name, m) => [
      name,
      {
        ...averageMetrics(perMember[m]),
        ...averageIntervalMetrics(intervals.members[m]),
        seconds: panels.reduce((t, p) => t + p.runs[m].seconds, 0),
      },
    ]),
  );
  return {
    data: config.data.csv_path,
    series: loaded.series.length,
    frequency: loaded.frequency,
    horizon: holdout,
    season,
    window_size: config.data.window_size,
    scope: config.train.scope,
    normalization: config.data.normalization,
    architecture: config.model.architecture,
    ensemble: config.model.ensemble,
    ensemble_methods: [...new Set(panels.map((panel) => panel.method))],
    levels: [...levels],
    model: { ...averageMetrics(perSeries.model), ...averageIntervalMetrics(intervals.model) },
    ensemble_intervals: ensembleIntervalsReport(panels, conformalModel, headScaledModel),
    members,
    naive: averageMetrics(perSeries.naive),
    seasonal_naive: averageMetrics(perSeries.seasonal_naive),
    features: {
      names: features?.layout.names ?? [],
      known_future: features?.layout.names.filter((_, f) => features.layout.knownFuture[f]) ?? [],
      use: featureUses(panels),
    },
    ...(holidayCountry
      ? {
          holiday_periods: holidayPeriodErrors(holidayCountry, splits, loaded.frequency, season, {
            model: ensemble,
            ...Object.fromEntries(names.map((name, m) => [name, memberForecasts[m]])),
          }),
        }
      : {}),
    cv: cvSummary(panels),
    ...(Object.keys(headHoldout).length > 0
      ? {
          quantile_head: {
            holdout: headHoldout,
            cv: Object.fromEntries(
              Object.keys(headHoldout).map((name) => [
                name,
                averageIntervalMetrics(headCv.flatMap((byName) => byName[name] ?? [])),
              ]),
            ),
          },
        }
      : {}),
    window_member: panels.length === 1 ? panels[0].windowMember : null,
    seconds: (performance.now() - started) / 1000,
    warnings: loaded.warnings,
  };
}

/** BacktestReport's `ensemble_intervals`: both ways of making the ensemble's bands, and which each model took. */
function ensembleIntervalsReport(
  panels: readonly Panel[],
  conformal: readonly IntervalMetrics[],
  headScaled: readonly (IntervalMetrics | null)[],
): BacktestReport["ensemble_intervals"] {
  const report: BacktestReport["ensemble_intervals"] = {
    methods: [...new Set(panels.map((panel) => panel.ensembleBands.method))],
    conformal: {
      holdout: averageIntervalMetrics(conformal),
      cv: averageIntervalMetrics(panels.map((panel) => panel.ensembleBands.cv.conformal)),
    },
  };
  const heads = panels.flatMap((panel) => {
    const { headScaled, cv } = panel.ensembleBands;
    return headScaled && cv.head_scaled ? [{ member: headScaled.member, cv: cv.head_scaled }] : [];
  });
  if (heads.length === panels.length) {
    report.head_scaled = {
      member: [...new Set(heads.map((head) => head.member))].join(", "),
      holdout: averageIntervalMetrics(headScaled.filter((m): m is IntervalMetrics => m !== null)),
      cv: averageIntervalMetrics(heads.map((head) => head.cv)),
    };
  }
  return report;
}

/** Cross-validation metrics over every group (one group for a global model), averaged over groups. */
function cvSummary(panels: readonly Panel[]): BacktestReport["cv"] {
  const names = Object.keys(panels[0].cvMetrics.members);
  return {
    origins: largest(panels.flatMap((p) => p.origins.map((o) => o.length))),
    model: {
      ...averageMetrics(panels.map((p) => p.cvMetrics.ensemble)),
      ...averageIntervalMetrics(panels.map((p) => p.cvIntervals.ensemble)),
    },
    members: Object.fromEntries(
      names.map((name) => [
        name,
        {
          ...averageMetrics(panels.map((p) => p.cvMetrics.members[name])),
          ...averageIntervalMetrics(panels.map((p) => p.cvIntervals.members[name])),
        },
      ]),
    ),
  };
}

/** Each member's feature choices over the panels' models (`training.feature_use`), counted by use. */
function featureUses(panels: readonly Panel[]): Record<string, Record<string, number>> {
  const uses: Record<string, Record<string, number>> = {};
  for (const panel of panels) {
    for (const run of panel.runs) {
      const index = run.fitted.training?.feature_use;
      if (index === undefined) continue;
      const use = FEATURE_USES[index];
      uses[run.name] ??= {};
      uses[run.name][use] = (uses[run.name][use] ?? 0) + 1;
    }
  }
  return uses;
}
