import Holidays from "date-holidays";
import { parseIsoDay } from "../data/dates.ts";
import { DataError } from "../data/errors.ts";

export interface HolidayOptions {
  country: string;
  region?: string;
  /** date-holidays' types that count (public, bank, school, optional, observance). */
  types: string[];
}

/** Distances to a holiday are counted in days up to this, then held: a holiday a month away is no holiday. */
export const HOLIDAY_REACH_DAYS = 28;

export const HOLIDAY_NAMES = ["holiday", "days_to_holiday", "days_since_holiday"] as const;

/** One holiday: its local calendar day (days since 1970) and its name. */
export interface Holiday {
  day: number;
  name: string;
}

/**
 * The holidays of one country (and region) sorted by day, from date-holidays' own dates (each holiday's local
 * calendar day, whatever its time zone), for the years `[firstYear, lastYear]`; a day with two holidays is
 * listed once, with their names joined.
 */
export function holidayList(options: HolidayOptions, firstYear: number, lastYear: number): Holiday[] {
  const calendar = new Holidays();
  if (!Object.hasOwn(calendar.getCountries(), options.country)) {
    throw new DataError(
      `data.holidays.country must be a country code date-holidays knows, got '${options.country}'`,
    );
  }
  if (options.region && !Object.hasOwn(calendar.getStates(options.country) ?? {}, options.region)) {
    throw new DataError(
      `data.holidays.region must be a region of ${options.country} that date-holidays knows, got '${options.region}'`,
    );
  }
  if (options.region) calendar.init(options.country, options.region);
  else calendar.init(options.country);
  const names = new Map<number, string[]>();
  for (let year = firstYear; year <= lastYear; year++) {
    for (const holiday of calendar.getHolidays(year)) {
      if (!options.types.includes(holiday.type)) continue;
      const day = parseIsoDay(holiday.date.slice(0, 10));
      if (day === undefined) continue;
      const list = names.get(day) ?? [];
      if (!list.includes(holiday.name)) list.push(holiday.name);
      names.set(day, list);
    }
  }
  return [...names.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([day, list]) => ({ day, name: list.join(", ") }));
}

/** The days of holidayList, as the holiday features read them. */
export function holidayDays(options: HolidayOptions, firstYear: number, lastYear: number): number[] {
  return holidayList(options, firstYear, lastYear).map((holiday) => holiday.day);
}

/**
 * The holiday features of the period `[start, start + length)` in days: 1 when a holiday falls in it, and the
 * days from its start to the next holiday and since the last one before it, each capped at HOLIDAY_REACH_DAYS
 * and divided by it (so the days before Christmas read as Christmas coming).
 */
export function writeHolidays(
  holidays: readonly number[],
  start: number,
  length: number,
  out: Float32Array,
  offset: number,
): void {
  const next = firstAtOrAfter(holidays, start);
  const inPeriod = next < holidays.length && holidays[next] < start + length;
  const toNext = next < holidays.length ? holidays[next] - start : Infinity;
  const sinceLast = next > 0 ? start - holidays[next - 1] : Infinity;
  out[offset] = inPeriod ? 1 : 0;
  out[offset + 1] = Math.min(toNext, HOLIDAY_REACH_DAYS) / HOLIDAY_REACH_DAYS;
  out[offset + 2] = Math.min(sinceLast, HOLIDAY_REACH_DAYS) / HOLIDAY_REACH_DAYS;
}

function firstAtOrAfter(sorted: readonly number[], day: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
