import { z } from "zod";

const positiveInt = z.number().int().positive();

/** The forecasters a model can combine (src/forecasters), by their config names. */
export const MEMBER_NAMES = [
  "naive",
  "seasonal_naive",
  "linear",
  "network",
  "network_on_linear",
  "mstl",
  "ets",
] as const;

export const dataSchema = z.strictObject({
  csv_path: z.string().min(1),
  format: z.enum(["transactions", "long", "auto"]),
  date_column: z.string().min(1),
  series_column: z.string().min(1),
  value_column: z.string().min(1),
  frequency: z.enum(["D", "W", "M", "auto"]).default("auto"),
  window_size: positiveInt.min(2),
  horizon: positiveInt,
  season: z.union([z.literal("auto"), positiveInt]),
  normalization: z.enum(["window", "series"]),
  validation_fraction: z.number().min(0).max(0.9),
  batch_size: positiveInt,
  short_series: z.enum(["skip", "error"]),
  // a long file's period without a row: 0 or interpolated, each with a warning, or refused
  fill_missing: z.enum(["zero", "linear", "error"]).default("zero"),
  // features beside the sales (src/features): calendar from the dates, holidays, the user's covariates file
  calendar: z.boolean().default(false),
  holidays: z
    .strictObject({
      country: z.string().min(2),
      region: z.string().min(1).optional(),
      types: z
        .array(z.enum(["public", "bank", "school", "optional", "observance"]))
        .min(1)
        .default(["public"]),
    })
    .nullable()
    .default(null),
  covariates_path: z.string().default(""),
  known_future: z.array(z.string().min(1)).default([]),
});

export const transformerSchema = z.strictObject({
  d_model: positiveInt,
  heads: positiveInt,
  ffn: positiveInt,
  layers: positiveInt.max(8),
});

export const modelSchema = z.strictObject({
  architecture: z.enum(["cnn_lstm", "transformer"]),
  conv_channels: positiveInt,
  kernel_size: positiveInt,
  lstm_hidden: positiveInt,
  lstm_layers: positiveInt.max(8),
  highway: z.boolean(),
  transformer: transformerSchema,
  members: z.array(z.enum(MEMBER_NAMES)).min(1),
  ensemble: z.enum(["auto", "select", "weighted", "mean", "pooled"]),
  /** The interval levels (percent) calibrated, scored and answered when a request names none. */
  levels: z
    .array(
      z
        .number()
        .gt(0, "an interval level must be above 0 (percent)")
        .lt(100, "an interval level must be below 100 (percent)"),
    )
    .max(8)
    .default([80, 95]),
  /**
   * Also fit the network members a quantile head for the levels' quantiles (pinball loss, the network frozen):
   * scored beside the conformal intervals, and answering the window routes when the serving member has one.
   */
  quantile_head: z.boolean().default(true),
});

/**
 * The bounds on a training run started over HTTP: every override and the run itself stay inside them, so a
 * client cannot make the server train for days or run out of memory. They are the operator's: not overridable.
 */
export const trainLimitsSchema = z.strictObject({
  max_epochs: positiveInt,
  /** The most of data.window_size, model.conv_channels, model.lstm_hidden and data.batch_size. */
  max_size: positiveInt,
  max_lstm_layers: positiveInt,
  /** The most series one run names (train.series). */
  max_series: positiveInt,
  /** The training worker's V8 heap (old generation), in MiB: past it the worker stops, the server does not. */
  max_memory_mb: positiveInt,
  /** A run still training after this many seconds is stopped and recorded as failed. */
  max_seconds: positiveInt,
});

export const trainSchema = z.strictObject({
  max_epochs: positiveInt,
  lr: z.number().positive(),
  seed: z.number().int().nonnegative(),
  patience: positiveInt,
  /** Optimizer steps in all (0: bounded by epochs only), so training time does not grow with the history. */
  max_steps: z.number().int().nonnegative().default(0),
  /** Windows drawn (seeded) for each epoch and validation origins sampled (0: every window, every origin). */
  windows_per_epoch: z.number().int().nonnegative().default(0),
  /**
   * Threads for the per-series statistical members, a per-series training's units and a large global
   * network's batches (0: one per core). The members' forecasts do not depend on it; a network's weights do,
   * by float rounding, and are the same for the same count.
   */
  workers: z.number().int().nonnegative().max(64).default(0),
  refit: z.boolean(),
  cv_windows: positiveInt.max(50),
  /**
   * Series the cross-validation scores at most, a seeded sample of them (0: every series): the statistical
   * members refit at every origin, which would cost most of a large panel's training.
   */
  cv_series: z.number().int().nonnegative().default(2000),
  scope: z.enum(["global", "per_series"]),
  series: z.array(z.string().min(1)),
  limits: trainLimitsSchema,
});

export const pathsSchema = z.strictObject({
  artifacts: z.string().min(1),
});

export const forecastSchema = z.strictObject({
  clip_negative: z.boolean(),
});

export const serverSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  body_limit_bytes: positiveInt,
  batch_max_items: positiveInt,
  micro_batch_max: positiveInt,
  admin_token: z.string(),
  /** A file holding the admin token (a Docker secret); read at start when admin_token is empty. */
  admin_token_file: z.string(),
  /** Leave the admin routes open on a non-loopback host, on purpose (default false: the server refuses). */
  open_admin: z.boolean(),
  /** Single forecasts waiting for or in a model call; past it a request is answered 503 at once. */
  max_pending: positiveInt,
  /** A prediction not answered within this many milliseconds is answered 503. */
  request_timeout_ms: positiveInt,
  /** How often the server asks the registry whether production changed (another process promoted). */
  registry_poll_ms: positiveInt,
  /** Node's own timeouts: all request headers within, an idle keep-alive connection closed after, a whole request within. */
  headers_timeout_ms: positiveInt,
  keep_alive_timeout_ms: positiveInt,
  receive_timeout_ms: positiveInt,
  /** Connections the kernel may hold waiting to be accepted (capped by net.core.somaxconn). */
  listen_backlog: positiveInt,
});

export const registrySchema = z.strictObject({
  path: z.string().min(1),
  /**
   * A PostgreSQL registry (postgres://...) instead of the SQLite file at `path`, model files included;
   * empty (or absent) for the file.
   */
  url: z
    .string()
    .regex(/^$|^postgres(ql)?:\/\/\S+$/, "must be empty or a postgres:// or postgresql:// connection URL")
    .optional(),
  promotion: z.enum(["always", "if_better", "manual"]),
});

/** The work queue on Redis that `salescast worker` processes run; without a url, units run in-process. */
export const queueSchema = z.strictObject({
  url: z
    .string()
    .regex(/^$|^rediss?:\/\/\S+$/, "must be empty or a redis:// or rediss:// connection URL")
    .default(""),
  /** Series per work unit of a per-series training, and histories per job of a statistical member. */
  unit_series: positiveInt.max(10_000).default(10),
  /** Tries of a unit before its run fails, with exponential backoff from `backoff_ms` between them. */
  attempts: positiveInt.max(20).default(3),
  backoff_ms: positiveInt.default(1000),
  /** Units of one run in the queue at a time: what bounds Redis' memory, whatever the run's size. */
  max_queued: positiveInt.max(100_000).default(1000),
  /** A unit whose worker stops renewing its lock for this long (killed, cut off) goes back to the queue. */
  lock_ms: positiveInt.min(1000).default(30_000),
});

export const configSchema = z
  .strictObject({
    data: dataSchema,
    model: modelSchema,
    train: trainSchema,
    paths: pathsSchema,
    forecast: forecastSchema,
    server: serverSchema,
    registry: registrySchema,
    // A config file from before the queue existed runs its units in-process.
    queue: queueSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const { architecture, transformer } = config.model;
    if (architecture === "transformer" && transformer.d_model % 2 !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["model", "transformer", "d_model"],
        message: `must be even (sine and cosine positions pair up), got ${transformer.d_model}`,
      });
    }
    if (architecture === "transformer" && transformer.d_model % transformer.heads !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["model", "transformer", "heads"],
        message: `must divide model.transformer.d_model (${transformer.d_model}), got ${transformer.heads}`,
      });
    }
    if (config.data.known_future.length > 0 && config.data.covariates_path === "") {
      ctx.addIssue({
        code: "custom",
        path: ["data", "known_future"],
        message: "names covariates, so data.covariates_path must name their file",
      });
    }
    if (architecture === "cnn_lstm" && config.model.kernel_size > config.data.window_size) {
      ctx.addIssue({
        code: "custom",
        path: ["model", "kernel_size"],
        message: `must not exceed data.window_size (${config.data.window_size}), got ${config.model.kernel_size}`,
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type DataConfig = Config["data"];
export type ModelConfig = Config["model"];
export type TrainConfig = Config["train"];
export type ServerConfig = Config["server"];
export type RegistryConfig = Config["registry"];
export type QueueConfig = Config["queue"];
export type TrainLimits = Config["train"]["limits"];
export type Frequency = Exclude<DataConfig["frequency"], "auto">;
