import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { SalescastApp } from "../base-app.ts";

/**
 * The OpenAPI document (GET /openapi.json) and its UI (GET /docs), made from the route schemas. Register
 * before the routes, so the document sees them.
 */
export async function registerDocs(app: SalescastApp, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: "salescast",
        description: "Sales forecasts from neural models trained on your sales history.",
        version,
      },
      tags: [
        { name: "forecast", description: "forecasts from the serving models" },
        { name: "series", description: "the sales history the models are trained on" },
        { name: "models", description: "the model registry: versions, stages, promotion and rollback" },
        { name: "training", description: "training runs started over HTTP" },
        { name: "operations", description: "health and metrics of the server" },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            description:
              "the admin token (server.admin_token, SALESCAST_ADMIN_TOKEN or server.admin_token_file), when one is set",
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
