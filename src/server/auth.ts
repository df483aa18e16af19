import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServerConfig } from "../config/index.ts";
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

/** Addresses only this machine can reach: binding there keeps open admin routes private. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** A server setting that cannot be used as it is; the message says what to change. */
export class ServerSetupError extends Error {
  override name = "ServerSetupError";
}

/**
 * The admin token the server checks: server.admin_token (or SALESCAST_ADMIN_TOKEN, applied to it), else the
 * trimmed content of server.admin_token_file (a Docker secret), else "" (no token).
 */
export function resolveAdminToken(
  server: Pick<ServerConfig, "admin_token" | "admin_token_file">,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): string {
  if (server.admin_token !== "") return server.admin_token;
  if (server.admin_token_file === "") return "";
  let token: string;
  try {
    token = readFile(server.admin_token_file).trim();
  } catch (error) {
    throw new ServerSetupError(
      `cannot read server.admin_token_file ${server.admin_token_file}: ${(error as Error).message}`,
    );
  }
  if (token === "") throw new ServerSetupError(`server.admin_token_file ${server.admin_token_file} is empty`);
  return token;
}

/**
 * Refuses to serve the state-changing routes (training, promotion, rollback) without a token on an address
 * other machines can reach, unless server.open_admin says that is meant.
 */
export function checkAdminExposure(server: Pick<ServerConfig, "host" | "open_admin">, token: string): void {
  if (token !== "" || server.open_admin || isLoopbackHost(server.host)) return;
  throw new ServerSetupError(
    `refusing to listen on ${server.host} with the admin routes (POST /api/train, promote, rollback) open to ` +
      "anyone who can reach it: set an admin token (server.admin_token, env SALESCAST_ADMIN_TOKEN, or " +
      "server.admin_token_file for a secret file), listen on 127.0.0.1, or set server.open_admin=true " +
      "to leave them open on purpose",
  );
}
