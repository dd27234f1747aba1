import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchWithin, outcomeOfCopies, updateCopies } from "../../src/platforms/deadline.js";

describe("a delivery's deadline", () => {
  // A server that never answers: only an abort ends a request to it.
  let server: Server;
  let url = "";
  beforeAll(async () => {
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("ends a delivery's requests with it, and keeps each request's own timeout", async () => {
    const outcome = (request: Promise<Response>) => request.then(() => "answered", (e: unknown) => (e as Error).name);
    const deadline = new AbortController();
    const requests = [outcome(fetchWithin(deadline.signal)(url, { signal: AbortSignal.timeout(60_000) })), outcome(fetchWithin(deadline.signal)(url))];
    deadline.abort();
    expect(await Promise.all(requests)).toEqual(["AbortError", "AbortError"]);
    // A deadline not yet reached leaves the request's own timeout in force (even once its signal could be collected).
    const later = new AbortController();
    expect(await outcome(fetchWithin(later.signal)(url, { signal: AbortSignal.timeout(200) }))).toBe("TimeoutError");
  });

  it("updates every copy even when some fail, and tells which were done", async () => {
    const cards = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const result = await updateCopies(cards, async (card) => {
      if (card.id === 2) throw new Error("busy");
    });
    expect(result.done).toEqual([1, 3]);
    expect(result.errors.map((e) => (e as Error).message)).toEqual(["busy"]);
  });

  it("gives a row with several failed copies a throttle's wait first, else a retry, else the failure", () => {
    const failed = { kind: "failed", error: "channel_not_found" } as const;
    const retry = { kind: "retry", error: "500" } as const;
    const throttled = { kind: "retry", error: "rate limited", afterMs: 30_000 } as const;
    expect(outcomeOfCopies([failed, retry, throttled])).toBe(throttled);
    expect(outcomeOfCopies([failed, retry])).toBe(retry);
    expect(outcomeOfCopies([failed])).toBe(failed);
    expect(outcomeOfCopies([])).toBeUndefined();
  });
});
