import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqliteUrl } from "../support/databases.js";
import { tableCounts } from "../support/fixture.js";
import { partialPost } from "../support/partial-post.js";
import { record, startRig, type Rig } from "./harness.js";
import { FORGERIES, INBOUND_ROUTES } from "./inbound-routes.js";

describe("chaos: forged and stale requests on every inbound route", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(freshSqliteUrl());
  });
  afterAll(async () => rig?.close());

  it.each(INBOUND_ROUTES.map((r) => [r.name, r] as const))("%s refuses every forgery with a 4xx and writes nothing, and accepts the genuine request", async (_name, route) => {
    let failures = 0;
    for (const forgery of FORGERIES.filter((f) => f !== "genuine")) {
      const before = await tableCounts(rig.f.db);
      const { url, init } = route.build(rig.bot.url, forgery, { slack: rig.slack, unique: randomBytes(6).toString("hex"), clock: rig.f.ctx.clock });
      const response = await fetch(url, init);
      await response.text();
      // Work a refused request would have queued cannot show up later either.
      await new Promise((r) => setTimeout(r, 50));
      const after = await tableCounts(rig.f.db);
      if (response.status < 400 || response.status >= 500 || JSON.stringify(after) !== JSON.stringify(before)) failures++;
      expect({ forgery, status: response.status >= 400 && response.status < 500 }).toEqual({ forgery, status: true });
      expect(after).toEqual(before);
    }
    // The control: the same request, genuine, goes through and writes the lead, so the refusals above mean something.
    const unique = randomBytes(6).toString("hex");
    const { url, init } = route.build(rig.bot.url, "genuine", { slack: rig.slack, unique, clock: rig.f.ctx.clock });
    const accepted = await fetch(url, init);
    expect([200, 201]).toContain(accepted.status);
    const written = route.written ?? ((db, key) => db.prisma.account.count({ where: { company: { contains: key } } }));
    await expect.poll(() => written(rig.f.db, unique), { timeout: 5_000 }).toBe(1);
    record({ scenario: `forged and stale requests: ${route.name}`, cases: FORGERIES.length, failures, lost: 0, duplicates: 0 });
  });

  it.each(INBOUND_ROUTES.map((r) => [r.name, r] as const))("%s answers an absurd Content-Length with 413 at once and hangs up, signed or not", async (_name, route) => {
    const before = await tableCounts(rig.f.db);
    let failures = 0;
    for (const forgery of ["genuine", "unsigned"] as const) {
      const { url, init } = route.build(rig.bot.url, forgery, { slack: rig.slack, unique: randomBytes(6).toString("hex"), clock: rig.f.ctx.clock });
      // Declares far more than it sends: a server that waits for the body never answers, and the test times out.
      const seen = await partialPost(url, init.headers as Record<string, string>, { declared: 99_999_999_999, total: 64 * 1024, timeoutMs: 5_000 });
      // The playground checks its session before the size of a request: an unsigned one is refused for that first.
      const status = forgery === "unsigned" && route.name.includes("playground") ? 401 : 413;
      if (seen.status !== status || !seen.closed) failures++;
      expect({ forgery, status: seen.status, closed: seen.closed }).toEqual({ forgery, status, closed: true });
    }
    expect(await tableCounts(rig.f.db)).toEqual(before);
    record({ scenario: `oversized Content-Length: ${route.name}`, cases: 2, failures, lost: 0, duplicates: 0 });
  });
});
