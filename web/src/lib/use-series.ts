import { api } from "../api/client.ts";
import type { SeriesSummary } from "../api/types.ts";
import { navigate, type Route } from "../routing.ts";
import { type AsyncState, useAsync } from "./use-async.ts";

export interface SeriesSelection {
  list: AsyncState<SeriesSummary[]>;
  /** The series named in the URL when it exists, else the first; undefined until the list is in. */
  selected?: SeriesSummary;
  select: (id: string) => void;
}

/** The series list and the chosen series, which lives in the URL so every page and a reload agree on it. */
export function useSeriesSelection(route: Route): SeriesSelection {
  const list = useAsync(api.seriesList, []);
  const selected = list.value?.find((one) => one.id === route.series) ?? list.value?.[0];
  return { list, selected, select: (id) => navigate({ page: route.page, series: id }) };
}
