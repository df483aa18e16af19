import { Registry } from "../../src/registry/index.ts";
import { describeRegistryContract } from "../registry/contract.ts";
import { closeAfterTest, tempDir } from "../registry/fixtures.ts";
import { emptyDatabase } from "./postgres.ts";

describeRegistryContract("PostgreSQL", async (promotion) => {
  const config = { path: "unused.db", url: await emptyDatabase(), promotion };
  return {
    dir: tempDir(),
    registry: await closeAfterTest(Registry.open(config)),
    reopen: () => closeAfterTest(Registry.open(config)),
  };
});
