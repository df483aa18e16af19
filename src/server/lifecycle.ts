import type { FastifyInstance } from "fastify";

/**
 * On SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish, close the models (the
 * app's onClose hook), then exit 0. A second signal exits at once with 1.
 */
export function closeOnSignals(
  app: FastifyInstance,
  signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT"],
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn(`${signal} during shutdown: exiting now`);
      process.exit(1);
    }
    closing = true;
    app.log.info(`${signal} received: finishing in-flight requests, then exiting`);
    app.close().then(
      () => {
        app.log.info("server closed");
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
