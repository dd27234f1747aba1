/**
 * Vitest reporter for `npm run test:chaos`: clears the results file at the start, and at the end prints
 * the summary table of every scenario, those that failed before recording anything included.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import type { Reporter, SerializedError, TestModule } from "vitest/node";
import { RESULTS, summaryTable, type ChaosResult, type TestOutcome } from "./summary-table.js";

const message = (error: { message?: string } | undefined): string => error?.message ?? "unknown error";

export default class ChaosSummary implements Reporter {
  onInit(): void {
    rmSync(RESULTS, { force: true });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    const results = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as ChaosResult) : [];
    const tests: TestOutcome[] = [];
    const errors: string[] = unhandled.map(message);
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        tests.push({ test: test.fullName, state: result.state, ...(result.state === "failed" ? { error: message(result.errors[0]) } : {}) });
      }
      // A file that did not load, or a failed beforeAll/afterAll, is no test's error.
      for (const error of module.errors()) errors.push(`${module.relativeModuleId}: ${message(error)}`);
    }
    console.log(summaryTable(results, tests, errors).text);
  }
}
