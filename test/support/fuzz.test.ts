import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "./fuzz.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the fuzz tests' fast-check parameters", () => {
  it("stop shrinking a slow property soon after its first failure, and open the report with how to replay it", async () => {
    let runs = 0;
    let failedAt = 0;
    // Every run takes 50 ms and every array with a number over 100 fails: unbounded, shrinking 40 of them takes far longer.
    const property = fc.asyncProperty(fc.array(fc.integer(), { minLength: 40, maxLength: 40 }), async (xs) => {
      runs++;
      await sleep(50);
      if (xs.some((x) => x > 100)) {
        failedAt ||= performance.now();
        throw new Error("too big");
      }
    });
    const error = await fc.assert(property, fuzzParameters(100, { shrinkMs: 500 })).then(() => null, (e: unknown) => e as Error);
    expect(performance.now() - failedAt).toBeLessThan(2_000);
    expect(error?.message).toMatch(/^property failed after \d+ run\(s\), [1-9]\d* shrink\(s\); replay: FUZZ_SEED=-?\d+ FUZZ_PATH=[\d:]+ <same command> -t "stop shrinking/);
    expect(error?.message).toContain("Counterexample: [[");
    expect(runs).toBeLessThan(60);
  });

  it("leave a property that passes its every run, however slow, as strong as it was", async () => {
    let runs = 0;
    await fc.assert(fc.asyncProperty(fc.nat(), async () => {
      runs++;
      await sleep(5);
    }), fuzzParameters(40, { shrinkMs: 10 }));
    expect(runs).toBe(40);
  });

  it("replay the seed and path of FUZZ_SEED and FUZZ_PATH", () => {
    const first = fc.check(fc.property(fc.nat(), (n) => n < 1000), { seed: 42 });
    expect(first.failed).toBe(true);
    process.env.FUZZ_SEED = String(first.seed);
    process.env.FUZZ_PATH = first.counterexamplePath!;
    try {
      // Straight to the counterexample: its first run fails, nothing left to shrink.
      expect(() => fc.assert(fc.property(fc.nat(), (n) => n < 1000), fuzzParameters(100))).toThrow(
        `property failed after 1 run(s), 0 shrink(s); replay: FUZZ_SEED=${first.seed} FUZZ_PATH=${first.counterexamplePath}`,
      );
    } finally {
      delete process.env.FUZZ_SEED;
      delete process.env.FUZZ_PATH;
    }
  });
});
