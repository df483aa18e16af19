import { useEffect, useRef, useState } from "preact/hooks";
import { PageBoundary } from "./components/page-boundary.tsx";
import { AccuracyPage } from "./pages/accuracy.tsx";
import { ExplorePage } from "./pages/explore.tsx";
import { ForecastPage } from "./pages/forecast.tsx";
import { ModelsPage } from "./pages/models.tsx";
import { PAGES, routeHref, useRoute } from "./routing.ts";

export function App() {
  const route = useRoute();
  const [token, setToken] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const title = PAGES.find((page) => page.id === route.page)?.title ?? "";

  // after a page change, keyboard and screen-reader users land on the new page's heading
  const firstRender = useRef(true);
  useEffect(() => {
    document.title = `${title} · salescast`;
    if (firstRender.current) firstRender.current = false;
    else heading.current?.focus();
  }, [title]);

  return (
    <>
      <button type="button" class="skip-link" onClick={() => heading.current?.focus()}>
        Skip to content
      </button>
      <header class="site-header">
        <span class="brand">salescast</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((page) => (
              <li key={page.id}>
                <a
                  href={routeHref({ page: page.id, series: route.series })}
                  aria-current={page.id === route.page ? "page" : undefined}
                >
                  {page.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <a class="docs-link" href="/docs">
          API docs
        </a>
      </header>
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <PageBoundary key={route.page}>
          {route.page === "explore" && <ExplorePage route={route} />}
          {route.page === "forecast" && <ForecastPage route={route} />}
          {route.page === "accuracy" && <AccuracyPage route={route} />}
          {route.page === "models" && <ModelsPage token={token} setToken={setToken} />}
        </PageBoundary>
      </main>
    </>
  );
}
