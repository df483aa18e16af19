const amount = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const percent = new Intl.NumberFormat(undefined, {
  style: "unit",
  unit: "percent",
  maximumFractionDigits: 1,
});
const ratio = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3, minimumFractionDigits: 3 });

/** Sales and errors in sales units, two decimals. */
export const formatAmount = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "n/a" : amount.format(value);

/** Unitless figures (MASE, sMAPE, losses), three decimals. */
export const formatRatio = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "n/a" : ratio.format(value);

/** A figure already in percent, such as sMAPE (0 to 200). */
export const formatPercent = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "n/a" : percent.format(value);

/** An ISO timestamp in the reader's locale and time zone. */
export const formatTime = (iso: string | null): string =>
  iso === null ? "" : new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
