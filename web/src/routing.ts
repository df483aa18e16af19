import { useEffect, useState } from "preact/hooks";

export const PAGES = [
  { id: "explore", title: "Explore" },
  { id: "forecast", title: "Forecast" },
  { id: "accuracy", title: "Accuracy" },
  { id: "models", title: "Models" },
] as const;

export type PageId = (typeof PAGES)[number]["id"];

/** Where the dashboard is: the page and the chosen series, both kept in the URL's hash (`#/forecast?series=Beauty`). */
export interface Route {
  page: PageId;
  series?: string;
}

export function parseHash(hash: string): Route {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?");
  const page = PAGES.find((p) => p.id === path)?.id ?? "explore";
  const series = new URLSearchParams(query).get("series") ?? undefined;
  return { page, series };
}

export function routeHref({ page, series }: Route): string {
  return series === undefined ? `#/${page}` : `#/${page}?${new URLSearchParams({ series })}`;
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
