// End to end: the playground page in a real headless Chromium, on the demo data, against the real server,
// services and SQLite file. Without Chromium the suite is skipped with a warning, unless
// FUNNELBOT_REQUIRE_CHROMIUM=1 (CI), where that is a failure. Screenshots land in test-artifacts/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { loadEnv } from "../../src/config/env.js";
import { stallRules } from "../../src/domain/stalled.js";
import { newPlaygroundToken } from "../../src/platforms/playground/app.js";
import type { ServiceContext } from "../../src/services/context.js";
import { seedDemo } from "../../src/services/seed-demo.js";
import { stalledAccounts } from "../../src/store/stalled.js";
import { findActor } from "../../src/store/members.js";
import { runCommand } from "../../src/services/run-command.js";
import { openContext } from "../../src/wiring.js";
import { chromiumArgs, findChromium } from "../support/chromium.js";
import { freshSqliteUrl } from "../support/databases.js";
import { tableCounts } from "../support/fixture.js";

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "test-artifacts");
const executablePath = findChromium();
const required = process.env.FUNNELBOT_REQUIRE_CHROMIUM === "1";
if (!executablePath && !required) {
  console.warn("No Chromium (CHROMIUM_PATH, or chromium / chromium-browser on PATH): the playground's browser test is skipped. apt-get install chromium, or set FUNNELBOT_REQUIRE_CHROMIUM=1 to make this an error.");
}

describe.skipIf(!executablePath && !required)("the playground in a real browser", () => {
  let ctx: ServiceContext;
  let close: () => Promise<void>;
  let bot: RunningBot;
  let browser: Browser;
  let page: Page;
  const token = newPlaygroundToken();

  /** Becomes `handle` in the page, as a newcomer does with the "You are" picker. */
  const actAs = async (handle: string, language: "en" | "zh-CN" = "en") => {
    await page.selectOption("#who", handle);
    await page.selectOption("#language", language);
    await page.waitForFunction((lang) => document.documentElement.lang === lang, language);
  };
  const type = async (line: string) => {
    await page.fill("#line", line);
    await page.press("#line", "Enter");
  };
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `playground-${name}.png`), fullPage: true });
  const handleOf = async (memberId: number | null) => (await ctx.db.prisma.member.findUniqueOrThrow({ where: { id: memberId ?? -1 }, select: { handle: true } })).handle;

  beforeAll(async () => {
    if (!executablePath) {
      throw new Error("FUNNELBOT_REQUIRE_CHROMIUM=1 but no Chromium was found: set CHROMIUM_PATH, or install Debian's chromium (apt-get install chromium; .ci/run does).");
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ ctx, close } = await openContext(loadEnv({ DATABASE_URL: freshSqliteUrl() })));
    expect((await seedDemo(ctx)).seeded).toBe(true);
    bot = await startBot(ctx, { port: 0, host: "127.0.0.1", outboxIntervalMs: 50, scheduler: false, playground: { token } }, pino({ level: "silent" }));
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${bot.url}/?token=${token}`);
    // The token link becomes a cookie and leaves the address bar.
    expect(new URL(page.url()).search).toBe("");
    await page.waitForSelector("#who option", { state: "attached" });
    expect(errors).toEqual([]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.close();
    await close?.();
  });

  it("a rep accepts an MQL with the card's button, and the card is updated in place", async () => {
    const mql = await ctx.db.prisma.account.findFirstOrThrow({ where: { stage: "MQL", ownerId: { not: null } }, orderBy: { id: "asc" } });
    await actAs(await handleOf(mql.ownerId));
    await page.click('button[data-view="dm"]');
    const accept = page.locator(`#messages button[data-command="lead accept #${mql.id}"]`).first();
    await accept.waitFor();
    await accept.click();
    // The card in the DM now tells who moved it, with no buttons left.
    const outcome = page.locator("#messages article.card", { hasText: `${mql.company} (#${mql.id}): MQL → Sales accepted` });
    await outcome.first().waitFor();
    expect(await page.locator(`#messages button[data-command="lead accept #${mql.id}"]`).count()).toBe(0);
    const account = await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: mql.id } });
    expect(account.stage).toBe("SAL");
    const event = await ctx.db.prisma.stageEvent.findFirstOrThrow({ where: { accountId: mql.id, toStage: "SAL" } });
    expect(event).toMatchObject({ platform: "playground", actorId: mql.ownerId });
    await shot("1-accept");
  }, 60_000);

  it("the rep qualifies it through the BANT form; a bad answer is refused in the form and writes nothing", async () => {
    // The account the rep just accepted in the page.
    const accepted = await ctx.db.prisma.stageEvent.findFirstOrThrow({ where: { platform: "playground", toStage: "SAL" } });
    const sal = await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: accepted.accountId } });
    await type(`/lead accept #999999`);
    await page.locator("#messages article.local", { hasText: "No account matches “#999999”" }).waitFor();

    await type(`/lead qualify #${sal.id}`);
    const dialog = page.locator("#dialog");
    await dialog.locator(`form[data-meta*="lead qualify #${sal.id}"]`).waitFor();
    await dialog.locator('input[name="budget"]').fill("lots");
    await dialog.locator('input[name="confirmed"][value="yes"]').check();
    await dialog.locator('input[name="dm"]').fill("Li Wei");
    await dialog.locator('input[name="engaged"][value="yes"]').check();
    await dialog.locator('input[name="need"]').fill("Bulk transactional mail");
    await dialog.locator('input[name="date"]').fill("2027-03-01");
    const before = await tableCounts(ctx.db);
    await dialog.locator('button[type="submit"]').click();
    await dialog.locator('[data-field="budget"] .error', { hasText: "a positive amount" }).waitFor();
    expect(await tableCounts(ctx.db)).toEqual(before);

    // The refused form comes back filled in, as a Slack modal keeps its values: only the budget changes.
    await dialog.locator('input[name="budget"]').fill("50000");
    await dialog.locator('button[type="submit"]').click();
    await page.locator("#messages article.local", { hasText: "qualified: now Opportunity" }).waitFor();
    expect(await dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
    expect((await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: sal.id } })).stage).toBe("SQL");
    const bant = await ctx.db.prisma.bantAnswer.findFirstOrThrow({ where: { accountId: sal.id }, orderBy: { id: "desc" } });
    expect(bant).toMatchObject({ budgetAmount: 50000, decisionMaker: "Li Wei", targetDate: "2027-03-01" });
    await shot("2-bant");
  }, 60_000);

  it("a CSM advances an account by ticking its checklist", async () => {
    const p1 = await ctx.db.prisma.account.findFirstOrThrow({ where: { stage: "P1", owner: { teamKey: "cs" } }, orderBy: { id: "asc" } });
    await actAs(await handleOf(p1.ownerId));
    await page.click('button[data-view="home"]');
    await page.locator("#messages", { hasText: `#${p1.id} ${p1.company}` }).waitFor();
    await type(`/account advance #${p1.id}`);
    const dialog = page.locator("#dialog");
    const boxes = dialog.locator('input[type="checkbox"][name="confirm"]');
    await boxes.first().waitFor();
    expect(await boxes.count()).toBe(2);
    expect(await dialog.textContent()).toContain(`Before moving ${p1.company} from P1 Integration to P2 Testing, confirm`);
    for (const box of await boxes.all()) await box.check();
    await dialog.locator('button[type="submit"]').click();
    await page.locator("#messages article.local", { hasText: `${p1.company} moved P1 Integration → P2 Testing` }).waitFor();
    expect((await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: p1.id } })).stage).toBe("P2");
    const confirmed = await ctx.db.prisma.checklistConfirmation.findMany({ where: { accountId: p1.id, stage: "P1" }, select: { marker: true, overrideReason: true } });
    expect(confirmed.map((c) => c.marker).sort()).toEqual(["calling-api", "kickoff-held"]);
    expect(confirmed.every((c) => c.overrideReason === null)).toBe(true);
    await shot("3-checklist");
  }, 60_000);

  it("a manager opens the sales digest, in English and in Chinese", async () => {
    await actAs("sam");
    await page.selectOption("#digest-team", "sales");
    await page.click('#digest button[type="submit"]');
    const digest = page.locator("#messages article.local", { hasText: "Sales daily digest" });
    await digest.waitFor();
    const now = new Date();
    const led = ctx.playbook.stages.filter((s) => s.teams[0] === "sales").map((s) => s.code);
    const { counts } = await stalledAccounts(ctx.db, stallRules(ctx.playbook, ctx.calendar, led, now), now);
    const stalled = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(stalled).toBeGreaterThan(0);
    await expect.poll(() => digest.textContent()).toContain(`Stalled: ${stalled} account(s)`);
    await shot("4-digest");

    await page.selectOption("#language", "zh-CN");
    await page.locator('button[data-view="home"]', { hasText: "我的客户" }).waitFor();
    await page.click('#digest button[type="submit"]');
    await page.locator("#messages article.local", { hasText: "销售部每日摘要" }).waitFor();
    await shot("5-digest-zh");
  }, 60_000);

  it("a manager reads /funnel over 90 days and sees the sales chart inline, in English and in Chinese", async () => {
    await actAs("sam");
    await type("funnel sales 90d");
    await page.locator("#messages article", { hasText: "Conversion (90 days, against the period before)" }).waitFor();
    await type("funnel chart sales");
    const chart = page.locator("#messages figure.chart img").last();
    await chart.waitFor();
    // The PNG loaded and has the chart's size, not a broken image.
    await expect.poll(() => chart.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1200);
    await shot("6-funnel-chart");
    await actAs("sam", "zh-CN");
    await type("漏斗 图表 sales");
    await page.locator("#messages figure.chart img[alt*='漏斗一览'][alt*='近 56 天']").last().waitFor();
    await shot("7-funnel-chart-zh");
  }, 60_000);

  it("keeps the sidebar's language when another member is picked, and echoes commands in it", async () => {
    const english = (await ctx.db.prisma.member.findFirstOrThrow({ where: { locale: "en", role: "rep", teamKey: "sales" } })).handle;
    await page.selectOption("#language", "zh-CN");
    await page.selectOption("#who", english);
    await page.waitForTimeout(300);
    expect(await page.inputValue("#language")).toBe("zh-CN");
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
    // The member list speaks the page's language: team names and roles in Chinese.
    const csm = (await ctx.db.prisma.member.findFirstOrThrow({ where: { teamKey: "cs", role: "rep" } })).handle;
    expect(await page.locator(`#who option[value="${english}"]`).textContent()).toMatch(/· 销售$/);
    // A rep's role is named by their team's kind: customer success says 客户成功 (CSM), never 销售.
    expect(await page.locator(`#who option[value="${csm}"]`).textContent()).toMatch(/· 客户成功$/);
    await page.fill("#line", "lead mine");
    await page.press("#line", "Enter");
    await page.locator("#messages article.local .ran", { hasText: "你执行了: 线索 我的" }).first().waitFor();
    await page.selectOption("#language", "en");
    await expect.poll(() => page.locator(`#who option[value="${csm}"]`).textContent()).toMatch(/· CSM$/);
  }, 60_000);

  it("shows your own newest answer without scrolling, even below a long list, and keeps it there when the page refreshes", async () => {
    await actAs("carl");
    await page.click('button[data-view="home"]');
    await type("/funnel");
    await page.locator("#messages article.local", { hasText: "Funnel:" }).waitFor();
    await type("/lead show 1");
    const newest = page.locator("#messages article.local").last();
    await newest.locator("h3", { hasText: "#1 " }).waitFor();
    const inView = () => newest.evaluate((el) => {
      const list = document.querySelector("#messages")!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return box.top >= list.top - 1 && box.top < list.bottom;
    });
    await expect.poll(inView).toBe(true);
    // A refresh of the feed (someone else acted) re-renders the page, and the reader stays where they were.
    const mark = (await findActor(ctx.db, { handle: "mark" }))!;
    const created = await runCommand(ctx, mark, "lead new Scroll Keeper Co", { platform: "cli" });
    const version = await page.evaluate(() => document.querySelectorAll("#messages article").length);
    expect((await runCommand(ctx, mark, `lead handoff #${/#(\d+)/.exec(created.text)![1]} --confirm all`, { platform: "cli" })).errorCode).toBeUndefined();
    await bot.worker.idle();
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1_500)));
    expect(version).toBeGreaterThan(0);
    expect(await inView()).toBe(true);
    await shot("11-own-answer-in-view");
  }, 60_000);

  it("fits a phone-width window: the sidebar sits above the conversation", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.goto(`${bot.url}/?token=${token}`);
      await phone.waitForSelector("#who option", { state: "attached" });
      const box = async (selector: string) => (await phone.locator(selector).boundingBox())!;
      const [sidebar, messages, composer] = [await box("#sidebar"), await box("#messages"), await box("#composer")];
      expect(sidebar.width).toBeLessThanOrEqual(390);
      expect(sidebar.y + sidebar.height).toBeLessThanOrEqual(messages.y + 1);
      expect(messages.height).toBeGreaterThan(200);
      expect(composer.y + composer.height).toBeLessThanOrEqual(844 + 1);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await phone.screenshot({ path: path.join(ARTIFACTS, "playground-6-phone.png") });
    } finally {
      await phone.close();
    }
  }, 60_000);
});
