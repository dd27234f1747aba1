import { afterEach, describe, expect, it } from "vitest";
import { mainPath } from "../../src/domain/funnel.js";
import { loadPreset, presetNames } from "../../src/domain/presets/index.js";
import { freshSqliteUrl } from "../support/databases.js";
import { cli } from "../support/cli.js";
import { openFixture, type Fixture } from "../support/fixture.js";

let fixture: Fixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});


async function ok(f: Fixture, line: string): Promise<string> {
  const result = await cli(f, line);
  expect({ line, code: result.code, err: result.err }).toEqual({ line, code: 0, err: "" });
  f.clock.advance(2 * 86_400_000);
  return result.out;
}

const BANT = `budget=80000 currency=CNY confirmed=yes dm="Li Wei" role=CTO engaged=yes need="transactional email" date=2099-12-31`;

async function stageOf(f: Fixture, id: number): Promise<{ stage: string; owner: string | null }> {
  const row = await f.db.prisma.account.findUnique({ where: { id }, select: { stage: true, owner: { select: { handle: true } } } });
  return { stage: row!.stage, owner: row!.owner?.handle ?? null };
}

describe("the CLI walks the default funnel end to end", () => {
  it("new lead → MQL → accept → BANT → PQL failed → SQL → PQL passed → P0 … P5 → renew → churn → win back → … → archive", async () => {
    const f = (fixture = await openFixture(freshSqliteUrl()));
    const created = await ok(f, `lead new "Walkthrough Mail Co" --email ops@walkthrough.example --source webinar --amount 120000 --as mia`);
    const id = Number(/#(\d+)/.exec(created)![1]);
    await ok(f, `lead handoff #${id} --confirm all --as mia`);
    const rep = (await stageOf(f, id)).owner!;
    expect(["alice", "bob", "chen"]).toContain(rep);
    await ok(f, `lead accept #${id} --as ${rep}`);
    // A first BANT without a confirmed budget keeps the lead in SAL and keeps the answers.
    await ok(f, `lead qualify #${id} 预算=5万 预算确认=否 决策人=李伟 已参与=是 需求=群发 时间=2027-03-01 --as ${rep}`);
    expect(await stageOf(f, id)).toMatchObject({ stage: "SAL" });
    // The confirmed budget (80,000) replaces the 120,000 the lead was created with, and the reply says so.
    expect(await ok(f, `lead qualify #${id} ${BANT} --as ${rep}`)).toContain("Amount set to 80,000 CNY from the confirmed budget");
    expect(await stageOf(f, id)).toMatchObject({ stage: "SQL" });
    await ok(f, `account validate #${id} --as ${rep}`);
    await ok(f, `account validate #${id} fail --as ${rep}`);
    expect(await stageOf(f, id)).toMatchObject({ stage: "SQL" });
    await ok(f, `account validate #${id} --as ${rep}`);
    await ok(f, `account validate #${id} pass --as ${rep}`);
    expect(await stageOf(f, id)).toMatchObject({ stage: "P0" });
    await ok(f, `account advance #${id} --confirm contract-paid,account-delivered --as ${rep}`);
    const csm = (await stageOf(f, id)).owner!;
    expect(csm).toBe("carl");
    for (const stage of ["P2", "P3", "P4", "P5"]) {
      await ok(f, `account advance #${id} --confirm all --as ${csm}`);
      expect(await stageOf(f, id)).toMatchObject({ stage });
    }
    await ok(f, `account renew #${id} 5万 --as ${csm}`);
    await ok(f, `account expand #${id} 12k --as ${csm}`);
    expect((await f.db.prisma.account.findUnique({ where: { id }, select: { amount: true } }))!.amount).toBe(80_000 + 50_000 + 12_000);
    await ok(f, `account churn #${id} price 预算削减 --as ${csm}`);
    await ok(f, `account recall #${id} --as cathy`);
    const winback = await stageOf(f, id);
    expect(winback.stage).toBe("PQL");
    await ok(f, `account validate #${id} pass --as ${winback.owner}`);
    await ok(f, `account churn #${id} no-usage --as ${winback.owner}`);
    await ok(f, `account archive #${id} --as cathy`);
    expect(await stageOf(f, id)).toMatchObject({ stage: "ARCHIVED" });

    const shown = await ok(f, `lead show #${id} --as sam`);
    const stages = ["Lead", "MQL", "Sales accepted", "Opportunity", "Product qualified", "Signed", "Integration", "Testing", "Go-live", "Stable", "Mature", "Churned", "Archived"];
    for (const stage of stages) expect(shown).toContain(stage);
    expect(shown).toMatch(/after 2 d in/);
    expect(shown).toContain("renewal 50,000");
    expect(shown).toContain("BANT not passed");
    const events = await f.db.prisma.stageEvent.count({ where: { accountId: id } });
    expect(shown.split("\n").filter((l) => /^\s{2}\d{4}-/.test(l))).toHaveLength(events);

    const json = await cli(f, `lead show #${id} --json --as sam`);
    const data = JSON.parse(json.out) as { stage: unknown; amount: number; currency: string; bant: Record<string, unknown>; checklists: unknown[]; history: unknown[] };
    expect(data).toMatchObject({ id, company: "Walkthrough Mail Co", stage: { code: "ARCHIVED", name: "Archived" }, amount: 142_000, currency: "CNY", source: "webinar" });
    expect(data.bant).toMatchObject({ budget: { amount: 80_000, currency: "CNY", confirmed: true }, decisionMaker: { name: "Li Wei", role: "CTO", engaged: true }, need: "transactional email", targetDate: "2099-12-31" });
    expect(data.checklists).toContainEqual(expect.objectContaining({ stage: "P0", markers: ["contract-paid", "account-delivered"] }));
    expect(data.history).toHaveLength(events);
  });

  it("exits non-zero with a short message on bad input", async () => {
    const f = (fixture = await openFixture(freshSqliteUrl()));
    const unknown = await cli(f, "lead acept 1 --as alice");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("accept");
    const nobody = await cli(f, "lead mine --as nobody");
    expect(nobody.code).toBe(1);
    expect(nobody.err).toMatch(/admin/);
    const noActor = await cli(f, "lead mine");
    expect(noActor.code).toBe(2);
    const zh = await cli(f, "线索 接受 #424242 --as chen");
    expect(zh.code).toBe(1);
    expect(zh.err).toContain("没有找到");
  });
});

describe.each(presetNames)("the CLI walks the %s preset", (name) => {
  it("from the first stage to a customer stage", async () => {
    const playbook = loadPreset(name)!;
    const f = (fixture = await openFixture(freshSqliteUrl(), playbook));
    const created = await ok(f, `lead new "Preset ${name}" --domain ${name}.example --as admin`);
    const id = Number(/#(\d+)/.exec(created)![1]);
    const commands: Record<string, string> = {
      handoff: `lead handoff #${id} --confirm all`, accept: `lead accept #${id}`, qualify: `lead qualify #${id} ${BANT}`,
      validate: `account validate #${id}`, "validate-pass": `account validate #${id} pass`, sign: `account sign #${id}`,
      advance: `account advance #${id} --confirm all`,
    };
    for (const move of mainPath(playbook)) {
      const { owner } = await stageOf(f, id);
      const stage = playbook.stages.find((s) => s.code === move.from)!;
      const ownerMember = owner ? f.members[owner] : undefined;
      // The owner acts when their team owns the stage; otherwise that team's manager (or the admin).
      const manager = Object.values(f.members).find((m) => m.role === "manager" && m.teamKey === stage.teams[0]);
      const actor = ownerMember && stage.teams.includes(ownerMember.teamKey) ? owner : (manager?.handle ?? "admin");
      await ok(f, `${commands[move.verb]} --as ${actor}`);
      expect((await stageOf(f, id)).stage).toBe(move.to);
    }
    const final = playbook.stages.find((s) => s.code === (mainPath(playbook).at(-1)?.to ?? ""));
    expect(final?.customer || playbook.stages.some((s) => s.customer && mainPath(playbook).some((m) => m.to === s.code))).toBe(true);
  });
});
