import { afterEach, describe, expect, it, vi } from "vitest";
import { withinBudget } from "../../src/platforms/budget.js";

describe("withinBudget", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers with the work's value and leaves no timer behind", async () => {
    vi.useFakeTimers();
    await expect(withinBudget(Promise.resolve("done"), 3000)).resolves.toEqual({ done: true, value: "done" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("gives up at the budget while the work goes on, and says so", async () => {
    vi.useFakeTimers();
    let finish: (v: string) => void = () => undefined;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const answer = withinBudget(work, 3000);
    await vi.advanceTimersByTimeAsync(3000);
    await expect(answer).resolves.toEqual({ done: false });
    finish("late");
    await expect(work).resolves.toBe("late");
  });

  it("passes on a failure within the budget, and clears its timer", async () => {
    vi.useFakeTimers();
    await expect(withinBudget(Promise.reject(new Error("boom")), 3000)).rejects.toThrow("boom");
    expect(vi.getTimerCount()).toBe(0);
  });
});
