import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { signHook } from "../../src/platforms/hooks/signature.js";
import { runCommand } from "../../src/services/run-command.js";
import { updateMember } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

const SECRET = "test-hook-secret-0123456789abcdef";
describe.each(testDatabases())("lead webhooks on $name, through the real server", ({ url }) => {
  let f: Fixture;
  let bot: RunningBot;
  let unconfigured: RunningBot;

  beforeAll(async () => {
    f = await openFixture(await url());
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", hookSecret: SECRET, scheduler: false, outboxIntervalMs: 60_000 }, pino({ level: "silent" }));
    unconfigured = await startBot(f.ctx, { port: 0, host: "127.0.0.1", scheduler: false, outboxIntervalMs: 60_000 }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await unconfigured?.close();
    await f?.close();
  });

  const now = () => Math.floor(f.clock.read().getTime() / 1000);
  async function post(path: string, payload: unknown, options: { secret?: string; at?: number; raw?: string; base?: string } = {}) {
    const body = options.raw ?? JSON.stringify(payload);
    const res = await fetch(`${options.base ?? bot.url}${path}`, {
      method: "POST", body, headers: { "content-type": "application/json", "x-funnel-signature": signHook(options.secret ?? SECRET, body, options.at ?? now()) },
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }
  const account = (id: number) => f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { stage: true, score: true, title: true, email: true, ownerId: true } });

  it("creates a lead from a form post, scored by its demographics, and merges a second post from the same domain into it", async () => {
    const created = await post("/hooks/leads", { id: "form-1", company: "Acme Mail", email: "li@acme-mail.example", title: "CTO", size: 300, industry: "SaaS", region: "CN", source: "website" });
    expect(created.status).toBe(201);
    const id = created.json.accountId as number;
    expect(created.json).toMatchObject({ created: true, score: 33, grade: "warm", stage: "LEAD" });
    expect(await account(id)).toMatchObject({ stage: "LEAD", score: 33, title: "CTO" });

    const before = await f.db.prisma.account.count();
    const merged = await post("/hooks/leads", { id: "form-2", company: "Acme Mail Ltd", email: "wang@acme-mail.example", title: "VP Engineering" });
    expect(merged.status).toBe(200);
    expect(merged.json).toMatchObject({ accountId: id, created: false });
    expect(await f.db.prisma.account.count()).toBe(before);
    // The title changed, so the score follows: VP (8) instead of CTO (10).
    expect(await account(id)).toMatchObject({ title: "VP Engineering", score: 31 });
  });

  it("lifts a lead over the threshold with behaviour, hands it to the next rep in the rotation, skipping one who is away", async () => {
    const { members } = f;
    await f.db.prisma.team.update({ where: { key: "sales" }, data: { lastAssignedId: members.alice!.id } });
    await updateMember(f.db, "bob", { away: true });
    try {
      const lead = await post("/hooks/leads", { company: "Hot Co", email: "ceo@hotco.example", title: "CTO", size: 300, industry: "saas", region: "cn" });
      const id = lead.json.accountId as number;
      const webinar = await post("/hooks/activity", { id: "evt-1", email: "ceo@hotco.example", type: "webinar" });
      expect(webinar.json).toMatchObject({ accountId: id, score: 43, stage: "LEAD" });
      const pricing = await post("/hooks/activity", { id: "evt-2", domain: "hotco.example", type: "pricing-visit" });
      expect(pricing.status).toBe(200);
      expect(pricing.json).toMatchObject({ accountId: id, score: 53, grade: "warm", stage: "MQL" });
      // Alice had the last lead and Bob is away: Chen's turn. The MQL card goes to Chen and the sales channel.
      expect(await account(id)).toMatchObject({ stage: "MQL", ownerId: members.chen!.id });
      const cards = await f.db.prisma.outboxMessage.findMany({ where: { payload: { contains: `"accountId":${id}` } } });
      const targets = cards.filter((c) => JSON.parse(c.payload).card?.kind === "mql-assigned").map((c) => `${c.targetKind}:${c.target}`);
      expect(targets.sort()).toEqual([`member:${members.chen!.id}`, "team:sales"]);
      // lead show explains the score line by line.
      const shown = await runCommand(f.ctx, members.sam!, `lead show #${id}`, { platform: "cli" });
      expect(shown.text).toContain("Score 53 (warm); MQL at 50");
      expect(shown.text).toContain("Title “CTO” (cto): +10");
      expect(shown.text).toContain("pricing-visit ×1: +10");
      const zh = await runCommand(f.ctx, members.mia!, `线索 查看 #${id}`, { platform: "cli" });
      expect(zh.text).toContain("评分 53(温)");
    } finally {
      await updateMember(f.db, "bob", { away: false });
    }
  });

  it("changes nothing for a replayed webhook: same body and id", async () => {
    const lead = await post("/hooks/leads", { company: "Replay Co", domain: "replay.example" });
    const id = lead.json.accountId as number;
    const event = { id: "evt-replay", accountId: id, type: "download" };
    const first = await post("/hooks/activity", event);
    const before = await tableCounts(f.db);
    const again = await post("/hooks/activity", event);
    expect(again).toEqual(first);
    expect(await tableCounts(f.db)).toEqual(before);
    expect((await account(id)).score).toBe(5);
    const form = { id: "form-replay", company: "Replay Two", domain: "replay-two.example" };
    const created = await post("/hooks/leads", form);
    const counts = await tableCounts(f.db);
    expect(await post("/hooks/leads", form)).toEqual({ status: 201, json: created.json });
    expect(await tableCounts(f.db)).toEqual(counts);
  });

  it("refuses bad signatures with 401, malformed JSON and fields with 400 and the field errors, and writes nothing", async () => {
    const before = await tableCounts(f.db);
    const lead = { company: "Forged Co", domain: "forged.example" };
    expect((await post("/hooks/leads", lead, { secret: "not-the-secret-at-all" })).status).toBe(401);
    expect((await post("/hooks/leads", lead, { at: now() - 6 * 60 })).status).toBe(401);
    const unsigned = await fetch(`${bot.url}/hooks/leads`, { method: "POST", body: JSON.stringify(lead) });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ error: "bad-signature" });

    const broken = await post("/hooks/leads", null, { raw: "{\"company\": " });
    expect(broken).toEqual({ status: 400, json: { error: "invalid-json", message: "The body is not JSON." } });
    const fields = await post("/hooks/leads", { company: "", email: "nope", size: -3 });
    expect(fields.status).toBe(400);
    expect(fields.json).toEqual({ error: "invalid-fields", fields: { company: "must not be empty", email: "must be an email address", size: "must not be negative" } });
    const missing = await post("/hooks/leads", { company: "No Contact Co" });
    expect(missing.json).toEqual({ error: "invalid-fields", fields: { email: "email or domain is required" } });
    const activity = await post("/hooks/activity", { email: "x@forged.example", type: "Page Visit!" });
    expect(activity.json).toMatchObject({ error: "invalid-fields", fields: { type: expect.stringContaining("page-visit") } });
    const unknown = await post("/hooks/activity", { email: "nobody@unknown.example", type: "download" });
    expect(unknown.status).toBe(404);
    const huge = await post("/hooks/leads", { company: "x".repeat(70_000), domain: "big.example" });
    expect(huge.status).toBe(413);
    expect((await fetch(`${bot.url}/hooks/leads`)).status).toBe(405);
    // Without FUNNEL_HOOK_SECRET the hooks take nothing, even correctly signed.
    const off = await post("/hooks/leads", lead, { base: unconfigured.url });
    expect(off).toMatchObject({ status: 503, json: { error: "hooks-disabled" } });
    expect(await tableCounts(f.db)).toEqual(before);
  });
});
