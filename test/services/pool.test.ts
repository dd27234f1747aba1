import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";
import { runAutomations } from "../../src/jobs/automations.js";
import { intakeLead, recordLeadActivity } from "../../src/services/lead-intake.js";
import { runCommand } from "../../src/services/run-command.js";
import { updateMember } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const DAY = 86_400_000;
// Released MQLs go back to the pool (公海) for any rep to claim; two unaccepted leads per rep at most.
const playbook = PlaybookSchema.parse({ ...emailSaas, routing: { release: "pool", cooldownDays: 7, claimLimit: 2 } });

describe.each(testDatabases())("the public pool (公海) on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url(), playbook);
  });
  afterAll(async () => f?.close());

  /** A lead scored 35 by its demographics, then over the threshold (50) by two pricing-page visits. */
  const hotLead = async (company: string, ctx = f.ctx) => {
    const domain = `${company.toLowerCase().replace(/\W/g, "")}.example`;
    await intakeLead(ctx, { company, domain, title: "CEO", size: 5000, industry: "ecommerce", region: "cn" }, null, "webhook");
    await recordLeadActivity(ctx, { domain, type: "pricing-visit" }, `${domain}-1`);
    const done = await recordLeadActivity(ctx, { domain, type: "pricing-visit" }, `${domain}-2`);
    if (!done.ok) throw new Error(done.error.code);
    return done.value;
  };
  const owner = async (id: number) => (await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { ownerId: true } })).ownerId;

  it("returns an MQL nobody accepted to the pool after its SLA, and keeps the rep who let it go from claiming it back", async () => {
    const start = f.clock.read();
    const hot = await hotLead("Pool Hot Co");
    expect(hot).toMatchObject({ score: 55, grade: "warm", stage: "MQL" });
    const id = hot.accountId;
    const first = await owner(id);
    expect(first).toBe(f.members.alice!.id);

    // Three business days without accept: released, and with release: pool, nobody gets it.
    const later = new Date(start.getTime() + 7 * DAY);
    f.clock.set(later);
    expect((await runAutomations(f.ctx, { now: later })).released).toBe(1);
    expect(await owner(id)).toBeNull();
    const pool = await runCommand(f.ctx, f.members.bob!, "lead pool", { platform: "cli" });
    expect(pool.text).toContain(`#${id} Pool Hot Co`);
    expect(JSON.stringify(pool.blocks)).toContain(`lead claim #${id}`);

    const refused = await runCommand(f.ctx, f.members.alice!, `lead claim #${id}`, { platform: "cli" });
    expect(refused.errorCode).toBe("cooldown");
    expect(refused.text).toContain("You let Pool Hot Co go");
    const zh = await runCommand(f.ctx, { ...f.members.alice!, locale: "zh-CN" }, `线索 领取 #${id}`, { platform: "cli" });
    expect(zh.text).toContain("之后才能再次领取");
    expect(await owner(id)).toBeNull();

    const claimed = await runCommand(f.ctx, f.members.bob!, `线索 领取 #${id}`, { platform: "cli" });
    expect(claimed.errorCode).toBeUndefined();
    expect(await owner(id)).toBe(f.members.bob!.id);
    const again = await runCommand(f.ctx, f.members.chen!, `lead claim #${id}`, { platform: "cli" });
    expect(again.errorCode).toBe("not-in-pool");
    // Claiming starts a new round: the next automation pass does not release it at once.
    expect((await runAutomations(f.ctx, { now: new Date(later.getTime() + 60_000) })).released).toBe(0);
    expect(await owner(id)).toBe(f.members.bob!.id);
    const history = await runCommand(f.ctx, f.members.sam!, `lead show #${id}`, { platform: "cli" });
    expect(history.text).toContain("claimed from the pool by Bob");
  });

  it("lets a rep claim up to the playbook's limit, and refuses a rep of another team", async () => {
    const at = f.clock.read();
    const ids: number[] = [];
    for (const company of ["Limit One", "Limit Two", "Limit Three"]) {
      const row = await f.db.prisma.account.create({ data: { company, stage: "MQL", stageEnteredAt: at, lastActivityAt: at, createdAt: at }, select: { id: true } });
      ids.push(row.id);
    }
    expect((await runCommand(f.ctx, f.members.mark!, `lead claim #${ids[0]}`, { platform: "cli" })).errorCode).toBe("forbidden");
    expect((await runCommand(f.ctx, f.members.chen!, `lead claim #${ids[0]}`, { platform: "cli" })).errorCode).toBeUndefined();
    expect((await runCommand(f.ctx, f.members.chen!, `lead claim #${ids[1]}`, { platform: "cli" })).errorCode).toBeUndefined();
    const over = await runCommand(f.ctx, f.members.chen!, `lead claim #${ids[2]}`, { platform: "cli" });
    expect(over.errorCode).toBe("claim-limit");
    expect(await owner(ids[2]!)).toBeNull();
    // Once Chen accepts one, there is room for another.
    expect((await runCommand(f.ctx, f.members.chen!, `lead accept #${ids[0]}`, { platform: "cli" })).errorCode).toBeUndefined();
    expect((await runCommand(f.ctx, f.members.chen!, `lead claim #${ids[2]}`, { platform: "cli" })).errorCode).toBeUndefined();
  });

  it("hands a released MQL to the next rep instead when the playbook says so, never back to one cooling down", async () => {
    const rotate = { ...f.ctx, playbook: PlaybookSchema.parse({ ...emailSaas, routing: { release: "next-rep", cooldownDays: 10 } }) };
    await updateMember(f.db, "chen", { away: true });
    try {
      const start = f.clock.read();
      const lead = await hotLead("Rotate Co", rotate);
      const holders = [await owner(lead.accountId)];
      for (let round = 1; round <= 2; round++) {
        const now = new Date(start.getTime() + round * 7 * DAY);
        f.clock.set(now);
        await runAutomations(rotate, { now });
        holders.push(await owner(lead.accountId));
      }
      // Alice and Bob are the only reps in: the second release would go back to the first rep, who is
      // still cooling down, so the lead waits in the pool instead.
      expect(holders[0]).not.toBeNull();
      expect(holders[1]).not.toBeNull();
      expect(holders[1]).not.toBe(holders[0]);
      expect(holders[2]).toBeNull();
    } finally {
      await updateMember(f.db, "chen", { away: false });
    }
  });
});
