/**
 * Runs a command whose implementation is imported only now: `salescast --help` or one command never loads the
 * others' modules (ONNX Runtime, Fastify, the training code), which took seconds at every start.
 */
export async function runLazily<M>(load: () => Promise<M>, run: (module: M) => Promise<void>): Promise<void> {
  const [{ runCommand }, module] = await Promise.all([import("./errors.ts"), load()]);
  await runCommand(() => run(module));
}
