import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountsOwnedBy, createAccount } from "../../src/store/accounts.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

describe.each(testDatabases())("a member's own open accounts on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());

  it("lists the member's accounts in the given stages, oldest in stage first, at most 200, with real dates", async () => {
    const alice = f.members.alice!;
    const base = f.clock.read().getTime();
    const made: { id: number; company: string; stage: string; at: number }[] = [];
    // 203 of Alice's in MQL and SAL (entered in a shuffled order), one in another stage, one of Bob's.
    for (let i = 0; i < 205; i++) {
      const stage = i === 203 ? "SQL" : i % 2 ? "SAL" : "MQL";
      const ownerId = i === 204 ? f.members.bob!.id : alice.id;
      const at = base - ((i * 7919) % 205) * 60_000;
      const created = await createAccount(f.db, {
        company: `Owned ${i}`, domain: null, email: null, source: "web", region: null, industry: null, amount: 0, stage,
        ownerId, actorId: null, platform: "cli", at: new Date(at), idempotency: null,
      });
      if (created.kind !== "created") throw new Error("not created");
      if (i < 203) made.push({ id: created.id, company: `Owned ${i}`, stage, at });
    }
    const listed = await accountsOwnedBy(f.db, alice.id, ["MQL", "SAL"]);
    const expected = [...made].sort((a, b) => a.at - b.at || a.id - b.id).slice(0, 200);
    expect(listed).toEqual(expected.map((a) => ({ id: a.id, company: a.company, stage: a.stage, stageEnteredAt: new Date(a.at) })));
    expect(await accountsOwnedBy(f.db, alice.id, [])).toEqual([]);
    expect(await accountsOwnedBy(f.db, f.members.bob!.id, ["SQL"])).toEqual([]);
  });
});
