/** Vitest global setup for `npm run test:chaos`: clears the results file, and prints the summary table at the end. */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { RESULTS, type ChaosResult } from "./harness.js";

export default function setup(): () => void {
  rmSync(RESULTS, { force: true });
  return () => {
    const results = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as ChaosResult) : [];
    const header = ["scenario", "cases tried", "failures", "messages lost", "duplicates"];
    const rows = results.map((r) => [r.scenario, String(r.cases), String(r.failures), String(r.lost), String(r.duplicates)]);
    const total = results.reduce((t, r) => ({ cases: t.cases + r.cases, failures: t.failures + r.failures, lost: t.lost + r.lost, duplicates: t.duplicates + r.duplicates }), { cases: 0, failures: 0, lost: 0, duplicates: 0 });
    rows.push(["total", String(total.cases), String(total.failures), String(total.lost), String(total.duplicates)]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
    console.log(["", "Chaos summary", line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n"));
  };
}
