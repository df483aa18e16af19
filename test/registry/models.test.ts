import { renameSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/registry/index.ts";
import { closeAfterTest, fakeArtifact, openTempRegistry, tempDir } from "./fixtures.ts";

// What every backend does is in contract.ts; this is what only the SQLite file does.
describe("the SQLite registry", () => {
  it("stores folders relative to the database, so the two can move together", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("always", dir);
    const { model } = await registry.register(fakeArtifact(join(dir, "artifacts"), "global", 1));
    await registry.close();
    const moved = join(tempDir(), "moved");
    renameSync(dir, moved);
    const reopened = await closeAfterTest(
      Registry.open({ path: join(moved, "registry", "salescast.db"), promotion: "always" }),
    );
    expect((await reopened.get(model.id)).folder).toBe(join(moved, "artifacts", basename(model.folder)));
  });
});
