import fc from "fast-check";
import { expect } from "vitest";

/**
 * Ends shrinking `ms` after the first failing run (the runs before it are untouched): the smallest
 * counterexample found by then is reported. A failing run of the HTTP properties costs seconds (a batch of
 * requests, some waiting out Bolt's 2.9 s timer), so unbounded shrinking took minutes.
 */
function shrinkFor<Ts>(ms: number): fc.Plugin<Ts> {
  return () => {
    let stopAt = Number.POSITIVE_INFINITY;
    const note = (outcome: fc.PreconditionFailure | fc.PropertyFailure | null) => {
      if (outcome !== null && !fc.PreconditionFailure.isFailure(outcome)) stopAt = Math.min(stopAt, performance.now() + ms);
      return outcome;
    };
    return {
      decorateRun: (run) => (value) => {
        // An interrupting precondition failure stops the runner: it reports the failure it holds.
        if (performance.now() >= stopAt) return new fc.PreconditionFailure(true);
        const outcome = run(value);
        return (outcome !== null && "then" in outcome ? outcome.then(note) : note(outcome)) as typeof outcome;
      },
    };
  };
}

/**
 * A failure's first line says how to replay it (the chaos summary shows only that line): the seed and path in
 * the environment of the same command (same FUNNELBOT_CHAOS: the scale shapes the inputs), this test alone.
 * fast-check's report (counterexample, shrinks, error) follows.
 */
function replayFirst<Ts>(): fc.Plugin<Ts> {
  const test = expect.getState().currentTestName ?? "";
  return () => ({
    onAllRunsComplete: (details) => {
      if (!details.failed) return;
      const path = details.counterexamplePath === null ? "" : ` FUZZ_PATH=${details.counterexamplePath}`;
      const replay = `replay: FUZZ_SEED=${details.seed}${path} <same command> -t ${JSON.stringify(test.split(" > ").at(-1) ?? test)}`;
      throw new Error(`property failed after ${details.numRuns} run(s), ${details.numShrinks} shrink(s); ${replay}\n${fc.defaultReportMessage(details)}`, { cause: details.errorInstance });
    },
  });
}

/**
 * Parameters for the suite's fast-check properties: `numRuns`; the seed and path of FUZZ_SEED and FUZZ_PATH
 * when set, to replay a failure; shrinking bounded to `shrinkMs` after the first failure; and a failure
 * that opens with its replay line.
 */
export function fuzzParameters<Ts>(numRuns: number, options: { shrinkMs?: number } = {}): fc.Parameters<Ts> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
  const path = process.env.FUZZ_PATH || undefined;
  return {
    numRuns,
    ...(seed !== undefined && Number.isFinite(seed) ? { seed } : {}),
    ...(path ? { path } : {}),
    plugins: [shrinkFor(options.shrinkMs ?? 10_000), replayFirst()],
  };
}
