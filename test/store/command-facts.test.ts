import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandFacts, createAccount, findAccount } from "../../src/store/accounts.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

describe.each(testDatabases())("a command's facts in one statement on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());

  async function account(company: string, ownerId: number | null): Promise<number> {
    const made = await createAccount(f.db, {
      company, domain: `${company.toLowerCase()}.example`, email: null, source: "web", region: null, industry: null, amount: 1200, stage: "MQL",
      ownerId, actorId: null, platform: "cli", at: f.clock.read(), idempotency: null,
    });
    if (made.kind !== "created") throw new Error("not created");
    return made.id;
  }

  it("reads the account with its owner, its latest transition with who made it, and a stored answer", async () => {
    const alice = f.members.alice!;
    const id = await account("Facts Co", alice.id);
    const at = f.clock.read();
    const later = new Date(at.getTime() + 60_000);
    const event = (kind: string, toStage: string, when: Date, actorId: number | null) => f.db.prisma.stageEvent.create({
      data: { accountId: id, kind, fromStage: "MQL", toStage, actorId, at: when, platform: "slack", reasonCode: kind === "transition" ? "fit" : null, data: kind === "transition" ? JSON.stringify({ n: 1 }) : null },
    });
    await event("transition", "SAL", at, alice.id);
    const latest = await event("transition", "SQL", later, f.members.sam!.id);
    // A later event of another kind, and an earlier transition with a higher id: neither is the last transition.
    await event("next-step", "SQL", new Date(later.getTime() + 1000), alice.id);
    await event("transition", "MQL", new Date(at.getTime() - 1000), null);
    await f.db.prisma.processedDelivery.create({ data: { key: "k1:m1:abc", result: JSON.stringify({ accountId: id, toStage: "SAL" }), createdAt: at } });

    const facts = await commandFacts(f.db, id, "k1:m1:abc");
    expect(facts.first).toEqual({ accountId: id, toStage: "SAL" });
    expect(facts.loaded).toEqual(await findAccount(f.db, id));
    expect(facts.loaded!.owner).toEqual({ id: alice.id, displayName: "Alice", teamKey: alice.teamKey, handle: "alice", locale: "en" });
    expect(Object.keys(facts.loaded!.account).sort()).toEqual(Object.keys((await findAccount(f.db, id))!.account).sort());
    expect(facts.lastTransition).toEqual({
      id: latest.id, accountId: id, kind: "transition", fromStage: "MQL", toStage: "SQL", actorId: f.members.sam!.id, actorName: "Sam", at: later,
      reasonCode: "fit", reasonText: null, platform: "slack", amount: null, data: { n: 1 },
    });
    // Without a key, or with one never stored: no first answer, the same account.
    expect((await commandFacts(f.db, id, null)).first).toBeUndefined();
    const fresh = await commandFacts(f.db, id, "k2:m1:abc");
    expect(fresh.first).toBeUndefined();
    expect(fresh.loaded!.account.version).toBe(facts.loaded!.account.version);
  });

  it("answers a repeated request even when the account is gone, and reads no owner or transition that is not there", async () => {
    await f.db.prisma.processedDelivery.create({ data: { key: "gone", result: JSON.stringify("first"), createdAt: f.clock.read() } });
    expect(await commandFacts(f.db, 999_999, "gone")).toEqual({ first: "first", loaded: null, lastTransition: null });
    for (const id of [0, -3, 2 ** 31, 1.5]) expect(await commandFacts(f.db, id, null)).toEqual({ first: undefined, loaded: null, lastTransition: null });
    const id = await account("Unowned Co", null);
    const facts = await commandFacts(f.db, id, null);
    expect(facts.loaded?.owner).toBeNull();
    expect(facts.loaded?.account).toMatchObject({ id, company: "Unowned Co", stage: "MQL", ownerId: null, amount: 1200 });
    expect(facts.lastTransition).toBeNull();
  });
});
