import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { summaryTable } from "./summary-table.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("the chaos summary table", () => {
  it("lists every scenario, a failed one with its error's first line, and says the run failed", () => {
    const { text, failed } = summaryTable(
      [{ scenario: "fuzz: command parser", cases: 2000, failures: 0, lost: 0, duplicates: 0, test: "fuzz > the parser never throws" }],
      [
        { test: "fuzz > the parser never throws", state: "passed" },
        { test: "fuzz > Slack: random signed commands never get a 5xx", state: "failed", error: "AssertionError: expected 500 to be less than 500\n  at fuzz.test.ts:44" },
      ],
    );
    expect(failed).toBe(true);
    const rows = text.split("\n").filter((l) => l.startsWith("| "));
    expect(rows[1]).toMatch(/^\| fuzz: command parser +\| ok +\| +2000 \| +0 \| +0 \| +0 \|$/);
    expect(rows[2]).toContain("| fuzz > Slack: random signed commands never get a 5xx | FAILED: AssertionError: expected 500 to be less than 500 |");
    expect(rows[2]).not.toContain("fuzz.test.ts");
    expect(rows.at(-1)).toMatch(/^\| total +\| RUN FAILED \(1 failed\) +\| +2000 \|/);
  });

  it("says the run passed only when every test passed and nothing was lost, doubled or failed", () => {
    const passing = { scenario: "kill -9", cases: 300, failures: 0, lost: 0, duplicates: 0, test: "kill" };
    expect(summaryTable([passing], [{ test: "kill", state: "passed" }])).toMatchObject({ failed: false, text: expect.stringMatching(/\| total +\| run passed +\|/) });
    expect(summaryTable([{ ...passing, duplicates: 1 }], [{ test: "kill", state: "passed" }]).failed).toBe(true);
    expect(summaryTable([passing], [{ test: "kill", state: "passed" }], ["two-servers.test.ts: hook timed out"]).text).toContain("| (outside any scenario) | FAILED: two-servers.test.ts: hook timed out");
  });

  it("as the reporter of a real run, lists the scenarios that failed, with or without a record", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "chaos-summary-"));
    try {
      const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        execFile(process.execPath, [path.join(root, "node_modules", "vitest", "vitest.mjs"), "run", "--config", "test/chaos/fixtures/summary.config.ts"], {
          cwd: root, env: { ...process.env, FUNNELBOT_CHAOS_RESULTS: path.join(dir, "results.jsonl") },
        }, (error, stdout) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout }));
      });
      expect(run.code).not.toBe(0);
      const rows = run.stdout.split("\n").filter((l) => l.startsWith("| "));
      expect(rows.find((r) => r.startsWith("| a scenario that passed "))).toMatch(/\| ok +\| +10 \|/);
      expect(rows.find((r) => r.includes("fails before recording anything"))).toMatch(/\| FAILED: the database timed out +\| +- \|/);
      expect(rows.find((r) => r.startsWith("| a scenario that found a loss "))).toMatch(/\| FAILED: .*expected/);
      expect(rows.at(-1)).toMatch(/^\| total +\| RUN FAILED \(2 failed\) +\| +15 \| +0 \| +1 \| +0 \|$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
