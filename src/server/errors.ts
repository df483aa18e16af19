import type { FastifyReply, FastifyRequest } from "fastify";
import { ForecastInputError } from "../forecast/index.ts";
import { RegistryError } from "../registry/index.ts";
import { NonFiniteForecastError } from "./finite-guard.ts";
import { UnloadableModelError } from "./model-loader.ts";
import { withoutPaths } from "./redact.ts";
import type { ErrorBody } from "./schemas.ts";
import { ModelUnavailableError } from "./serving-models.ts";
import { type SchemaError, schemaProblem } from "./validation-messages.ts";

/** An error that is the client's to fix, with its HTTP status and a stable code. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Headers the answer carries, such as Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** What the handler reads of the errors Fastify and the routes throw. */
interface FrameworkError {
  statusCode?: number;
  message: string;
  validation?: SchemaError[];
  validationContext?: string;
}

function contentTypeMessage(request: FastifyRequest): string {
  const type = request.headers["content-type"];
  return type === undefined
    ? "the request has no content type: send the body as application/json"
    : `content type '${type}' is not supported: send the body as application/json`;
}

/** How a registry refusal answers: an unknown id, a clash with the state (one run per scope), or a request the state forbids. */
const REGISTRY_ANSWERS: Record<RegistryError["kind"], [number, string]> = {
  not_found: [404, "not_found"],
  conflict: [409, "conflict"],
  invalid: [409, "invalid_state"],
};

/** The status and body every failure answers with: `{error, message, details?}`. */
function describeError(
  error: FrameworkError,
  request: FastifyRequest,
  bodyLimit: number,
): { status: number; body: ErrorBody } {
  if (error instanceof HttpError) {
    return { status: error.statusCode, body: { error: error.code, message: error.message } };
  }
  if (error instanceof ForecastInputError) {
    if (error.kind === "level") {
      return { status: 422, body: { error: "invalid_level", message: error.message } };
    }
    const unknown = error.kind === "unknown_series";
    const body = { error: unknown ? "unknown_series" : "invalid_series", message: error.message };
    return { status: unknown ? 404 : 422, body };
  }
  if (error instanceof RegistryError) {
    const [status, code] = REGISTRY_ANSWERS[error.kind];
    return { status, body: { error: code, message: error.message } };
  }
  if (error instanceof NonFiniteForecastError) {
    return { status: 500, body: { error: "non_finite_forecast", message: error.message } };
  }
  if (error instanceof UnloadableModelError) {
    return { status: 409, body: { error: "unloadable_model", message: error.message } };
  }
  if (error instanceof ModelUnavailableError) {
    return { status: 503, body: { error: "model_unavailable", message: error.message } };
  }
  if (error.validation && error.validation.length > 0) {
    const problem = schemaProblem(error.validationContext ?? "request", error.validation[0]);
    return { status: 400, body: { error: "invalid_request", message: problem.message, details: [problem] } };
  }
  const status = error.statusCode ?? 500;
  if (status === 413) {
    return {
      status,
      body: {
        error: "payload_too_large",
        message: `the request body is over the limit of ${bodyLimit} bytes`,
      },
    };
  }
  if (status === 415) {
    return { status, body: { error: "unsupported_media_type", message: contentTypeMessage(request) } };
  }
  if (status >= 400 && status < 500) {
    return { status, body: { error: "bad_request", message: error.message } };
  }
  return { status: 500, body: { error: "internal_error", message: "internal server error" } };
}

/**
 * Fastify's error handler: one error shape for every 4xx and 5xx; server faults are logged, never shown,
 * and no message names a file's folders or a secret.
 */
export function errorHandler(bodyLimit: number, redact: (message: string) => string = withoutPaths) {
  return (error: FrameworkError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = describeError(error, request, bodyLimit);
    if (status >= 500 && status !== 503) request.log.error({ err: error }, "request failed");
    if (error instanceof HttpError && error.headers !== undefined) reply.headers(error.headers);
    const safe: ErrorBody = { ...body, message: redact(body.message) };
    if (body.details !== undefined)
      safe.details = body.details.map((d) => ({ field: d.field, message: redact(d.message) }));
    return reply.code(status).send(safe);
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  const body: ErrorBody = { error: "not_found", message: `no route for ${request.method} ${request.url}` };
  return reply.code(404).send(body);
}
