import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ErrorBody } from "./schemas.ts";

/** A route hook that lets a request through, or answers it itself. */
export type AdminGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** The token of an `Authorization: Bearer <token>` header; undefined for a missing header or another scheme. */
function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

/**
 * The check in front of the routes that change state (training, promotion, rollback): with a non-empty
 * admin token, a request must carry `Authorization: Bearer <token>`, or it is answered 401 with a
 * `WWW-Authenticate: Bearer` header, before its body is read. With an empty token every request passes.
 *
 * Both tokens are hashed before the constant-time comparison, so the buffers compared always have the same
 * length and neither the time nor an early length check tells a client how long the token is.
 */
export function adminGuard(adminToken: string): AdminGuard {
  const expected = adminToken === "" ? undefined : digest(adminToken);
  return async (request, reply) => {
    if (expected === undefined) return;
    const given = bearerToken(request.headers.authorization);
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return;
    const body: ErrorBody =
      given === undefined
        ? {
            error: "unauthorized",
            message:
              "this route changes state and needs the admin token: send 'Authorization: Bearer <token>' " +
              "(the server's server.admin_token or SALESCAST_ADMIN_TOKEN)",
          }
        : { error: "unauthorized", message: "the bearer token is not the admin token" };
    const challenge =
      given === undefined ? 'Bearer realm="salescast"' : 'Bearer realm="salescast", error="invalid_token"';
    return reply.code(401).header("www-authenticate", challenge).send(body);
  };
}
