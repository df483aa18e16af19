import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import type { SalescastApp } from "./base-app.ts";

export interface DashboardDeps {
  /** The folder `npm run build` writes (web/dist); resolved against the working directory. */
  distDir: string;
}

export const DEFAULT_DASHBOARD_DIR = "web/dist";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>salescast: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>The dashboard is not built yet</h1>
<p>Run <code>npm run build</code> in the salescast folder, then reload this page.
The API is up meanwhile: see <a href="/docs">/docs</a>.</p>
</body></html>
`;

/**
 * Serves the built dashboard: `GET /` answers web/dist/index.html and `/assets/*` its hashed bundles.
 * index.html is read per request, so a build made while the server runs is picked up without a restart.
 */
export function registerDashboard(app: SalescastApp, { distDir }: DashboardDeps): void {
  const root = resolve(distDir);
  app.register(fastifyStatic, {
    root: join(root, "assets"),
    prefix: "/assets/",
    // @fastify/swagger-ui registers this plugin too; only one registration may decorate the reply
    decorateReply: false,
    // the folder is missing until the first build; GET / explains that better than a startup warning
    suppressWarning: true,
    // Vite puts a content hash in every asset name, so an asset never changes under its name
    immutable: true,
    maxAge: "365d",
  });

  app.get("/", { schema: { hide: true } }, async (_request, reply) => {
    let page: string;
    try {
      page = await readFile(join(root, "index.html"), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return reply
        .code(503)
        .header("cache-control", "no-store")
        .type("text/html; charset=utf-8")
        .send(NOT_BUILT_PAGE);
    }
    return reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").send(page);
  });
}
