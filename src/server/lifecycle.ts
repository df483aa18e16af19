import type { FastifyInstance } from "fastify";

export interface CloseOptions {
  signals?: NodeJS.Signals[];
  /** Runs once the app has closed, before the exit: to release what the app used but does not own. */
  afterClose?: () => void | Promise<void>;
}

/**
 * On SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish, close the models (the
 * app's onClose hook), run `afterClose`, then exit 0. A second signal exits at once with 1.
 */
export function closeOnSignals(
  app: FastifyInstance,
  { signals = ["SIGTERM", "SIGINT"], afterClose }: CloseOptions = {},
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn(`${signal} during shutdown: exiting now`);
      process.exit(1);
    }
    closing = true;
    app.log.info(`${signal} received: finishing in-flight requests, then exiting`);
    app
      .close()
      .then(() => afterClose?.())
      .then(
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
