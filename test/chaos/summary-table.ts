/**
 * The chaos summary table, as a pure function of what the scenarios recorded and how each test ended, so
 * that a scenario that failed before recording anything still gets its row (and fails the run).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** One line a scenario records for the summary. */
export interface ChaosResult {
  readonly scenario: string;
  readonly cases: number;
  readonly failures: number;
  readonly lost: number;
  readonly duplicates: number;
  /** The full name of the test that recorded it (suites and test, joined by " > "). */
  readonly test?: string;
}

/** How one test of the chaos run ended, as the reporter saw it. */
export interface TestOutcome {
  /** The full name, as `ChaosResult.test` holds it. */
  readonly test: string;
  readonly state: "passed" | "failed" | "skipped" | "pending";
  /** The first error's message, when it failed. */
  readonly error?: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Where scenarios (each in its own worker process) leave their lines; FUNNELBOT_CHAOS_RESULTS moves it. */
export const RESULTS = process.env.FUNNELBOT_CHAOS_RESULTS || path.join(root, "test-artifacts", "chaos", "results.jsonl");

const firstLine = (text: string): string => {
  const line = text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "unknown error";
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
};

/**
 * The table: a row per recorded result, and a row for every test that recorded none (failed ones marked
 * FAILED with the first line of their error); `errors` are failures outside any test (a file that did
 * not load, a hook, an unhandled rejection). The last line says whether the run passed.
 */
export function summaryTable(results: readonly ChaosResult[], tests: readonly TestOutcome[], errors: readonly string[] = []): { text: string; failed: boolean } {
  const header = ["scenario", "result", "cases tried", "failures", "messages lost", "duplicates"];
  const rows: string[][] = [];
  const total = { cases: 0, failures: 0, lost: 0, duplicates: 0 };
  let failedScenarios = 0;
  const verdict = (outcome: TestOutcome | undefined) =>
    outcome?.state === "failed" ? `FAILED: ${firstLine(outcome.error ?? "")}` : outcome?.state === "skipped" ? "skipped" : outcome?.state === "pending" ? "did not finish" : "ok";
  const byTest = new Map(tests.map((t) => [t.test, t]));
  const recorded = new Set<string>();
  for (const r of results) {
    const outcome = r.test === undefined ? undefined : byTest.get(r.test);
    if (r.test !== undefined) recorded.add(r.test);
    rows.push([r.scenario, verdict(outcome), String(r.cases), String(r.failures), String(r.lost), String(r.duplicates)]);
    total.cases += r.cases;
    total.failures += r.failures;
    total.lost += r.lost;
    total.duplicates += r.duplicates;
  }
  for (const t of tests) {
    if (t.state === "failed" || t.state === "pending") failedScenarios++;
    if (!recorded.has(t.test)) rows.push([t.test, verdict(t), "-", "-", "-", "-"]);
  }
  for (const error of errors) rows.push(["(outside any scenario)", `FAILED: ${firstLine(error)}`, "-", "-", "-", "-"]);
  const failed = failedScenarios > 0 || errors.length > 0 || total.failures + total.lost + total.duplicates > 0;
  const runVerdict = failed ? `RUN FAILED (${failedScenarios + errors.length} failed)` : "run passed";
  rows.push(["total", runVerdict, String(total.cases), String(total.failures), String(total.lost), String(total.duplicates)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const text = ["", "Chaos summary", line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
  return { text, failed };
}
