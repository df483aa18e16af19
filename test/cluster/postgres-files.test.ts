import { rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/registry/index.ts";
import { closeAfterTest, fakeArtifact, rejectionOf, tempDir } from "../registry/fixtures.ts";
import { emptyDatabase } from "./postgres.ts";

async function query(url: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

describe("model files in PostgreSQL", () => {
  it("keeps every file with its sha256, serves them with the folder gone, and refuses bytes that changed", async () => {
    const url = await emptyDatabase();
    const registry = await closeAfterTest(Registry.open({ path: "unused.db", url, promotion: "always" }));
    const dir = tempDir();
    const { model } = await registry.register(fakeArtifact(join(dir, "artifacts"), "global", 1));
    const stored = await query(
      url,
      "SELECT file_name, sha256 FROM model_files WHERE model_id = $1 ORDER BY 1",
      [model.id],
    );
    expect(stored.rows.map((row) => row.file_name)).toEqual([
      "forecasts.json",
      "meta.json",
      "model.onnx",
      "normalization.json",
    ]);
    rmSync(dir, { recursive: true, force: true });
    expect((await registry.artifact(model.id)).meta.name).toBe("global");

    await query(
      url,
      "UPDATE model_files SET content = '\\x060606' WHERE model_id = $1 AND file_name = 'model.onnx'",
      [model.id],
    );
    expect(((await rejectionOf(registry.artifact(model.id))) as Error).message).toMatch(
      /#model-\d+\/model\.onnx does not match its stored checksum/,
    );
  });

  it("says which database it cannot reach", async () => {
    const error = await rejectionOf(
      Registry.open({
        path: "unused.db",
        url: "postgres://nobody:secret@127.0.0.1:1/none",
        promotion: "always",
      }),
    );
    expect(error).toMatchObject({ kind: "invalid" });
    expect((error as Error).message).toMatch(
      /^cannot connect to the registry database postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none \(registry\.url\): /,
    );
    expect((error as Error).message).not.toContain("secret");
  });
});
