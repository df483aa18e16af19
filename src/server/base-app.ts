import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { errorHandler, notFoundHandler } from "./errors.ts";
import { acceptJsonBodiesOnly } from "./json-body.ts";
import { redactor } from "./redact.ts";

export interface BaseAppOptions {
  bodyLimit: number;
  /** Words no error answer may contain (the admin token). */
  secrets?: readonly string[];
  /** Node's own server timeouts, in milliseconds. */
  timeouts?: { headers: number; keepAlive: number; request: number };
  logger?: FastifyServerOptions["logger"];
}

/**
 * A Fastify instance with this API's rules and no routes: JSON bodies only, validated strictly (Fastify's
 * Ajv otherwise coerces null and true to numbers and drops unknown fields, and a missing day is not a
 * zero-sales day), and one error shape for every failure.
 */
export function createBaseApp({ bodyLimit, logger = false, secrets = [], timeouts }: BaseAppOptions) {
  const app = Fastify({
    logger,
    bodyLimit,
    // A slow or stalled client cannot hold a connection and its memory for ever.
    ...(timeouts && {
      http: { headersTimeout: timeouts.headers },
      keepAliveTimeout: timeouts.keepAlive,
      requestTimeout: timeouts.request,
    }),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, verbose: true } },
    // While closing, a request arriving on an open keep-alive connection is still answered (with
    // `Connection: close`) rather than refused with a 503 in Fastify's own error shape.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  acceptJsonBodiesOnly(app);
  closeKeepAliveWhenClosing(app);
  app.setErrorHandler(errorHandler(bodyLimit, redactor(secrets)));
  app.setNotFoundHandler(notFoundHandler);
  return app;
}

/**
 * Node's server.close() ends only the connections idle at that moment: a keep-alive connection whose request
 * is still running would stay open after its answer until the keep-alive timeout (72 s), holding up shutdown.
 * While closing, answers say `Connection: close`, so each connection ends with its last answer.
 */
function closeKeepAliveWhenClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  // The callback form: cheaper on the hot path than an async hook.
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
}

export type SalescastApp = ReturnType<typeof createBaseApp>;
