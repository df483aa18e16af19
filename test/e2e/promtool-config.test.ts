import { describe, expect, it } from "vitest";
import { requireTool, runTool } from "./debian-tools.ts";

describe("deploy/prometheus.yml", () => {
  it("passes promtool check config", () => {
    const promtool = requireTool("promtool", "prometheus");
    const check = runTool(promtool, ["check", "config", "deploy/prometheus.yml"]);
    expect(check.output).toContain("SUCCESS");
    expect(check.status, check.output).toBe(0);
  });
});
