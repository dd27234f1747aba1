/** Waits `ms` milliseconds. */
export const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `run` until it succeeds or `tries` attempts are spent: after a failure, `waitMs(error, attempt)` says how
 * long to wait before trying again, or null when the error is not worth another try. What finally fails is
 * passed through `failed`, so each platform says it in its own words.
 */
export async function retrying<T>(
  run: () => Promise<T>,
  options: { tries: number; waitMs: (error: unknown, attempt: number) => number | null; failed: (error: unknown) => Error; sleep?: (ms: number) => Promise<void> },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const wait = attempt < options.tries ? options.waitMs(error, attempt) : null;
      if (wait === null) throw options.failed(error);
      await (options.sleep ?? sleepFor)(wait);
    }
  }
}
