import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chinaCalendar } from "../../src/config/calendar.js";
import { slaDeadline } from "../../src/domain/calendar.js";
import { stalledCutoff } from "../../src/domain/stalled.js";
import { replyBlocks } from "../../src/platforms/slack/blocks.js";
import { SLACK, WECOM } from "../../src/platforms/limits.js";
import { replyHtml } from "../../src/platforms/playground/html.js";
import { replyMarkdown, replyText } from "../../src/platforms/wecom/cards.js";
import { createLead } from "../../src/services/create-lead.js";
import { buildDigest } from "../../src/services/digest.js";
import { runCommand } from "../../src/services/run-command.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const shanghai = (local: string) => new Date(`${local}+08:00`);

describe("stalled cutoff (pure)", () => {
  const cal = chinaCalendar();
  it("skips the National Day holiday and counts the make-up Saturday", () => {
    // 1 business day after Wed 30 Sep 10:00 is Thu 8 Oct 10:00 (1–7 Oct are holidays).
    expect(stalledCutoff(cal, { days: 1, unit: "business" }, shanghai("2026-10-08T10:00:00"))).toEqual(shanghai("2026-09-30T10:00:00"));
    // Sat 10 Oct is a make-up workday: an MQL from Fri 9 Oct 10:00 is due then, not on Monday.
    expect(stalledCutoff(cal, { days: 1, unit: "business" }, shanghai("2026-10-10T10:00:00"))).toEqual(shanghai("2026-10-09T10:00:00"));
  });
  it("is the exact inverse of the SLA deadline, checked against every quarter hour of a holiday-heavy month", () => {
    for (let t = shanghai("2026-09-18T00:00:00").getTime(); t < shanghai("2026-10-20T00:00:00").getTime(); t += 15 * 60_000) {
      const now = new Date(t);
      for (const days of [1, 3, 5]) {
        const cutoff = stalledCutoff(cal, { days, unit: "business" }, now);
        expect(slaDeadline(cal, cutoff, { days, unit: "business" }).getTime()).toBeLessThanOrEqual(t);
        expect(slaDeadline(cal, new Date(cutoff.getTime() + 1), { days, unit: "business" }).getTime()).toBeGreaterThan(t);
      }
    }
  });
  it("is whole 24-hour periods for calendar SLAs", () => {
    expect(stalledCutoff(cal, { days: 14, unit: "calendar" }, shanghai("2026-11-23T09:30:00"))).toEqual(shanghai("2026-11-09T09:30:00"));
  });
});

describe.each(testDatabases())("the daily digest on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());

  async function mqlAt(company: string, at: Date): Promise<number> {
    f.clock.set(at);
    const created = await createLead(f.ctx, f.members.mia!, { company, email: null, domain: `${company.toLowerCase().replace(/\W/g, "")}.example`, source: "web", amount: 1000, region: null, industry: null }, { platform: "cli" });
    if (!created.ok) throw new Error(created.error.code);
    expect((await runCommand(f.ctx, f.members.mia!, `lead handoff #${created.value.accountId} --confirm all`, { platform: "cli" })).errorCode).toBeUndefined();
    return created.value.accountId;
  }
  const digestAt = async (at: Date) => {
    f.clock.set(at);
    return (await buildDigest(f.ctx, "sales", { locale: "en" })).text;
  };

  it("lists an MQL only once its business-day SLA has passed, across a holiday and a make-up workday", async () => {
    await mqlAt("Holiday Lead Co", shanghai("2026-09-30T10:00:00"));
    expect(await digestAt(shanghai("2026-10-07T18:00:00"))).not.toContain("Holiday Lead Co");
    expect(await digestAt(shanghai("2026-10-08T10:00:00"))).toMatch(/Holiday Lead Co · .* · 1 business day in MQL, SLA 1/);
    await mqlAt("Makeup Day Co", shanghai("2026-10-09T10:00:00"));
    expect(await digestAt(shanghai("2026-10-10T09:59:00"))).not.toContain("Makeup Day Co");
    expect(await digestAt(shanghai("2026-10-10T10:00:00"))).toContain("Makeup Day Co");
  });

  it("keeps an account with a scheduled next step off the list until its date passes", async () => {
    const id = await mqlAt("Next Step Co", shanghai("2026-11-02T10:00:00"));
    const owner = await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { owner: { select: { handle: true } } } });
    const rep = f.members[owner.owner!.handle]!;
    f.clock.set(shanghai("2026-11-05T10:00:00"));
    expect((await runCommand(f.ctx, rep, `account next #${id} 2026-11-10 call back after budget review`, { platform: "cli" })).errorCode).toBeUndefined();
    expect(await digestAt(shanghai("2026-11-09T12:00:00"))).not.toContain("Next Step Co");
    expect(await digestAt(shanghai("2026-11-10T00:00:00"))).toMatch(/Next Step Co.*next: 2026-11-10 call back/);
  });

  it("lists the worst first, and reports conversion, time in stage and each rep's speed to lead from the events", async () => {
    const fresh = await mqlAt("Slightly Late Co", shanghai("2026-11-19T10:00:00"));
    const old = await mqlAt("Very Late Co", shanghai("2026-11-12T10:00:00"));
    const fast = await mqlAt("Quick Accept Co", shanghai("2026-11-20T10:00:00"));
    const owner = await f.db.prisma.account.findUniqueOrThrow({ where: { id: fast }, select: { owner: { select: { handle: true, displayName: true } } } });
    f.clock.set(shanghai("2026-11-20T12:00:00"));
    expect((await runCommand(f.ctx, f.members[owner.owner!.handle]!, `lead accept #${fast}`, { platform: "cli" })).errorCode).toBeUndefined();
    const text = await digestAt(shanghai("2026-11-23T09:30:00"));
    expect(text.indexOf(`#${old} Very Late Co`)).toBeGreaterThan(-1);
    expect(text.indexOf(`#${old} Very Late Co`)).toBeLessThan(text.indexOf(`#${fresh} Slightly Late Co`));
    expect(text).not.toContain("Quick Accept Co ·");
    expect(text).toMatch(/MQL → Sales accepted: \d+% \(1 of 1\)/);
    expect(text).toContain(`${owner.owner!.displayName}: 2.0 h (1)`);
    expect(text).toMatch(/MQL: avg 0\.1 d, median 0\.1 d vs SLA 1 business days \(1 moves\)/);
    // Every stalled row carries its amount, plain wording and its own actions: the stage's way forward,
    // Set next step, Reassign, Nudge the owner and Open, in that order, each also an option of the row's Slack
    // overflow menu (five options, Slack's most).
    expect(text).toMatch(new RegExp(`#${old} Very Late Co · .* · CNY 1,000 · \\d+ business days in MQL, SLA 1`));
    const digest = await buildDigest(f.ctx, "sales", { locale: "en" });
    const rows = digest.blocks.find((b) => b.kind === "rows");
    if (rows?.kind !== "rows") throw new Error("no rows");
    for (const row of rows.rows) {
      const id = /^#(\d+)/.exec(row.text)![1];
      expect(row.actions.map((a) => [a.label, a.command])).toEqual([
        ["→ Sales accepted", `lead accept #${id}`], ["Set next step", `account next #${id}`], ["Reassign", `account reassign #${id}`], ["Nudge the owner", `account nudge #${id}`], ["Open", `lead show #${id}`],
      ]);
    }
    type Overflow = { accessory?: { type: string; options: { value: string }[] } };
    const overflow = replyBlocks(digest, SLACK.messageBlocks, "en").filter((b) => b.type === "section" && (b as Overflow).accessory?.type === "overflow");
    expect(overflow.length).toBe(rows.rows.length);
    for (const menu of overflow) expect((menu as Overflow).accessory!.options.map((o) => o.value.split(" #")[0])).toEqual(["lead accept", "account next", "account reassign", "account nudge", "lead show"]);
    // The playground shows them as buttons on each row; WeCom's digest is markdown, whose footer names the commands.
    const html = replyHtml(digest, "en");
    expect(html.match(/data-command="account nudge #\d+"/g)?.length).toBe(rows.rows.length);
    expect(html.match(/data-command="account reassign #\d+"/g)?.length).toBe(rows.rows.length);
    expect(replyMarkdown(digest, "en")).toMatch(/\/account nudge ＜account＞/);
    // "Set next step" rides in each row's overflow menu (no extra block); choosing it answers with the next-step form.
    const nextOptions = overflow.map((b) => (b as unknown as { accessory: { options: { text: { text: string }; value: string }[] } }).accessory.options.find((o) => o.text.text === "Set next step")?.value);
    expect(nextOptions.every((v) => v !== undefined && /^account next #\d+$/.test(v))).toBe(true);
    expect(nextOptions).toContain(`account next #${old}`);
    const picked = await runCommand(f.ctx, f.members.sam!, `account next #${old}`, { platform: "slack" });
    expect(picked.blocks.find((b) => b.kind === "form")).toMatchObject({ form: { command: `account next #${old}` } });
    // WeCom lists the rows without their actions: the footer names the command that sets a next step.
    expect(replyText(digest, "en")).toContain("/account next <account> <YYYY-MM-DD> <note>");
    expect(replyText(await buildDigest(f.ctx, "sales", { locale: "zh-CN" }), "zh-CN")).toContain("客户 下一步 <客户> <YYYY-MM-DD> <说明>");
    // Forecast with its currency, unweighted and weighted.
    expect(text).toMatch(/Forecast \(weighted by each stage's probability\): Opportunity 30% \+ P0 Signed 90%/);
  });

  it("stays inside Slack's and WeCom's limits with 120 stalled accounts, and says how many more there are", async () => {
    for (let i = 0; i < 120; i++) await mqlAt(`Bulk ${String(i).padStart(3, "0")} Trading Company With A Rather Long Registered Name Ltd`, shanghai("2026-06-01T10:00:00"));
    f.clock.set(shanghai("2026-11-23T09:30:00"));
    const digest = await buildDigest(f.ctx, "sales", { locale: "zh-CN" });
    const list = digest.blocks.find((b) => b.kind === "rows")!;
    expect(list.kind === "rows" && list.more).toBeGreaterThanOrEqual(120 - 15);
    const blocks = replyBlocks(digest, SLACK.messageBlocks, "zh-CN");
    expect(blocks.length).toBeLessThanOrEqual(SLACK.messageBlocks);
    for (const block of blocks) {
      if (block.type === "section" && block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK.sectionText);
    }
    expect(JSON.stringify(blocks)).toContain("还有");
    // WeCom: a group robot's markdown (4096 bytes) and an app chat's text (2048 bytes), in both languages.
    for (const locale of ["zh-CN", "en"] as const) {
      const reply = await buildDigest(f.ctx, "sales", { locale });
      const markdown = replyMarkdown(reply, locale);
      const text = replyText(reply, locale);
      expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(WECOM.robotMarkdown);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(WECOM.appText);
      for (const out of [markdown, text]) expect(out).toMatch(locale === "zh-CN" ? /还有 \d+/ : /\d+ more/);
      expect(markdown).toContain("Bulk 000");
    }
  });
});
