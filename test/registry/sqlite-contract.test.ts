import { join } from "node:path";
import { Registry } from "../../src/registry/index.ts";
import { describeRegistryContract } from "./contract.ts";
import { closeAfterTest, tempDir } from "./fixtures.ts";

describeRegistryContract("SQLite", async (promotion) => {
  const dir = tempDir();
  const config = { path: join(dir, "registry", "salescast.db"), promotion };
  return {
    dir,
    registry: await closeAfterTest(Registry.open(config)),
    reopen: () => closeAfterTest(Registry.open(config)),
  };
});
