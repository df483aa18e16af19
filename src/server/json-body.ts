import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError } from "./errors.ts";

type ParseDone = (error: Error | null, body?: unknown) => void;
type CallbackJsonParser = (request: FastifyRequest, body: string, done: ParseDone) => void;

/** Why a body that Fastify's parser refused is not usable JSON, in words a client can act on. */
function explainRefusal(body: string, refusal: Error & { code?: string }): HttpError {
  if (refusal.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
    return new HttpError(400, "invalid_json", "the request body is empty: send a JSON object");
  }
  try {
    JSON.parse(body);
  } catch (syntax) {
    // JSON has no NaN or Infinity; clients serializing floats often send them anyway.
    const hint = /\b(NaN|Infinity)\b/.test(body) ? " (NaN and Infinity are not JSON numbers)" : "";
    return new HttpError(
      400,
      "invalid_json",
      `the request body is not valid JSON${hint}: ${(syntax as Error).message}`,
    );
  }
  return new HttpError(
    400,
    "invalid_json",
    "the request body must not set __proto__ or constructor.prototype",
  );
}

/**
 * Accepts only application/json bodies (any other content type is a 415), parsed by Fastify's own secure
 * parser, with a message that says what is wrong with a body that does not parse.
 */
export function acceptJsonBodiesOnly(app: FastifyInstance): void {
  // The default parser has the callback form.
  const parseSecurely = app.getDefaultJsonParser("error", "error") as CallbackJsonParser;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    parseSecurely(request, body as string, (refusal, value) => {
      if (refusal) done(explainRefusal(body as string, refusal));
      else done(null, value);
    });
  });
}

/**
 * A preValidation hook for POST routes whose body fields are all optional: a request without a body (and
 * so without a content type) reads as `{}`, each field taking its default. An empty body sent as JSON is
 * still refused by the parser.
 */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}
