/**
 * The process that test/registry/crash.test.ts kills: trains and registers in a loop, as training
 * runs, until it is killed. Usage: node --import tsx crash-child.ts <dir> <always|if_better|manual>
 * Prints "ready" once its first run is recorded, so a kill right after it already lands mid-run.
 */
import { Registry } from "../../src/registry/index.ts";
import { executeRun } from "../../src/train/register.ts";
import { smallTrainingConfig } from "./training-config.ts";

const [dir, promotion] = process.argv.slice(2);
// Members without a network keep a round short, so kills land among several registrations.
const base = smallTrainingConfig(dir, [
  `registry.promotion=${promotion}`,
  "model.members=[seasonal_naive, linear]",
]);
const registry = await Registry.open(base.registry);
await registry.failInterruptedRuns(); // left active by the previous kill
// Alternate one global model and one per series, so kills land among several registrations too.
const scopeOf = (round: number) => (round % 2 === 0 ? "global" : "per_series");
let runId = (await registry.createRun(scopeOf(0))).id;
process.stdout.write("ready\n");
for (let round = 0; ; round++) {
  const config = { ...base, train: { ...base.train, scope: scopeOf(round) } } as const;
  await executeRun(config, registry, runId, () => {});
  runId = (await registry.createRun(scopeOf(round + 1))).id;
}
