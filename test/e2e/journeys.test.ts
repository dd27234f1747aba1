// A working day of each role in the playground, end to end, in a real headless Chromium: a rep, a CSM, a
// marketer and a manager, in English and in Chinese (chosen in the sidebar). One server, one browser and
// one demo database per language; every step asserts what the page shows and saves a screenshot to
// test-artifacts/journey-<role>-<language>-<n>-<step>.png. Skipped without Chromium, as playground.test.ts is.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { loadEnv } from "../../src/config/env.js";
import { newPlaygroundToken } from "../../src/platforms/playground/app.js";
import type { ServiceContext } from "../../src/services/context.js";
import { seedDemo } from "../../src/services/seed-demo.js";
import { openContext } from "../../src/wiring.js";
import { chromiumArgs, findChromium } from "../support/chromium.js";
import { freshSqliteUrl } from "../support/databases.js";
import { tableCounts } from "../support/fixture.js";

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "test-artifacts");
const executablePath = findChromium();
const required = process.env.FUNNELBOT_REQUIRE_CHROMIUM === "1";

type Lang = "en" | "zh-CN";

/** Who plays each role: in Chinese, the demo's Chinese-speaking members, so their DMs are in Chinese too. */
const CAST: Record<Lang, { rep: string; csm: string; marketer: string; manager: string; colleague: string }> = {
  en: { rep: "alice", csm: "carl", marketer: "mark", manager: "sam", colleague: "bob" },
  "zh-CN": { rep: "chen", csm: "fang", marketer: "mia", manager: "cathy", colleague: "carl" },
};

/** What each language types and reads, as a person of that language would. */
const WORDS = {
  en: {
    mine: "/lead mine", mineTitle: "Your accounts (", qualify: (id: number) => `/lead qualify #${id}`, show: (id: number) => `/lead show #${id}`,
    returnLead: (id: number) => `/lead return #${id}`, advance: (id: number) => `/account advance #${id}`, accountShow: (id: number) => `/account show #${id}`,
    newLead: (rest: string) => `/lead new ${rest}`, funnel: "/funnel", pool: "/lead pool", reassign: (id: number, to: string) => `/account reassign #${id} ${to}`,
    accept: "Accept", accepted: (company: string, id: number) => `${company} (#${id}): MQL → Sales accepted`,
    badAmount: "a positive amount", qualified: (company: string) => `✅ ${company} qualified: now Opportunity.`, amountSet: "Amount set to 50,000 CNY from the confirmed budget",
    bant: "BANT (passed)", returnTitle: (company: string) => `Return ${company} to marketing — why?`, returned: (company: string) => `${company} moved MQL → Returned to marketing`,
    checklistTitle: (company: string, from: string, to: string) => `Before moving ${company} from ${from} to ${to}, confirm`, moveTo: (to: string) => `Move to ${to}`,
    checklistRefused: "Tick what is done: “", moved: (company: string, from: string, to: string) => `${company} moved ${from} → ${to}`,
    nextStep: "Next step", pastDate: "a date that isn't past", nextSet: (company: string, day: string) => `Next step for ${company} on ${day}: Call their CTO.`,
    badEmail: "“li@@acme” isn't an email address", sameName: (company: string, id: number) => `${company} already exists as #${id}`, createAnyway: "Create anyway",
    created: (company: string) => `${company} created in Lead`, handoff: "Hand off to sales", handedOff: (company: string) => `${company} moved Lead → MQL`,
    channelCard: (owner: string, company: string) => `New MQL for ${owner}: ${company}`,
    funnelTitle: /Funnel: \d+ open accounts/, digest: (team: string) => `${team} daily digest`, poolTitle: /Pool \(公海\): \d+ lead\(s\) waiting|The pool is empty/,
    reassigned: (company: string, owner: string) => `${company} now belongs to ${owner}.`,
    note: "Call their CTO", bantEcho: 'budget=50000 currency=CNY confirmed=yes dm="Li Wei" engaged=yes',
    clickEcho: (id: number) => `You ran: /lead accept #${id}`, setNextStep: "Set next step", nextTitle: (company: string) => `Next step for ${company}`,
    override: "As a manager you may skip them instead", overridden: "customer integrated already",
  },
  "zh-CN": {
    mine: "线索 我的", mineTitle: "我的客户(", qualify: (id: number) => `线索 资格 #${id}`, show: (id: number) => `线索 查看 #${id}`,
    returnLead: (id: number) => `线索 退回 #${id}`, advance: (id: number) => `客户 推进 #${id}`, accountShow: (id: number) => `客户 查看 #${id}`,
    newLead: (rest: string) => `线索 新建 ${rest}`, funnel: "漏斗", pool: "线索 公海", reassign: (id: number, to: string) => `客户 转交 #${id} ${to}`,
    accept: "接受", accepted: (company: string, id: number) => `${company}(#${id}):「营销合格线索」→「销售认可线索」`,
    badAmount: "需为正数金额", qualified: (company: string) => `✅ ${company} 资格审查通过,进入「商机」。`, amountSet: "金额已按确认的预算设为 50,000 CNY",
    bant: "BANT(已通过)", returnTitle: (company: string) => `为什么把 ${company} 退回市场?`, returned: (company: string) => `${company} 已从「营销合格线索」推进到「销售退回」`,
    checklistTitle: (company: string, from: string, to: string) => `把 ${company} 从「${from}」推进到「${to}」前,请确认`, moveTo: (to: string) => `推进到「${to}」`,
    checklistRefused: "请勾选已完成的项:“", moved: (company: string, from: string, to: string) => `${company} 已从「${from}」推进到「${to}」`,
    nextStep: "下一步", pastDate: "不能早于今天", nextSet: (company: string, day: string) => `${company} 的下一步:${day} 给对方 CTO 打电话。`,
    badEmail: "“li@@acme”不是有效的邮箱地址", sameName: (company: string, id: number) => `已有同名客户 ${company}(#${id}`, createAnyway: "仍然新建",
    created: (company: string) => `${company},阶段「线索」`, handoff: "移交销售", handedOff: (company: string) => `${company} 已从「线索」推进到「营销合格线索」`,
    channelCard: (owner: string, company: string) => `New MQL for ${owner}: ${company}`,
    funnelTitle: /漏斗:共 \d+ 个进行中的客户/, digest: (team: string) => `${team}每日摘要`, poolTitle: /公海:\d+ 条线索待领取|公海里没有线索/,
    reassigned: (company: string, owner: string) => `${company} 已转交给 ${owner}。`,
    note: "给对方 CTO 打电话", bantEcho: '预算=50000 币种=CNY 预算确认=是 决策人="Li Wei" 已参与=是',
    clickEcho: (id: number) => `你执行了: 线索 接受 #${id}`, setNextStep: "设置下一步", nextTitle: (company: string) => `${company} 的下一步`,
    override: "作为经理,你也可以在此填写原因后跳过", overridden: "客户已完成对接",
  },
} satisfies Record<Lang, unknown>;

if (!executablePath && !required) {
  console.warn("No Chromium (CHROMIUM_PATH, or chromium / chromium-browser on PATH): the playground journeys are skipped. apt-get install chromium, or set FUNNELBOT_REQUIRE_CHROMIUM=1 to make this an error.");
}

describe.skipIf(!executablePath && !required).each(["en", "zh-CN"] as const)("a working day in the playground, in %s", (lang) => {
  const cast = CAST[lang];
  const w = WORDS[lang];
  let ctx: ServiceContext;
  let close: () => Promise<void>;
  let bot: RunningBot;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const token = newPlaygroundToken();

  const actAs = async (handle: string) => {
    await page.selectOption("#who", handle);
    await page.selectOption("#language", lang);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  };
  const type = async (line: string) => {
    await page.fill("#line", line);
    await page.press("#line", "Enter");
  };
  /** The newest of the page's own answers (what "you ran") holding this text. */
  const answer = (text: string | RegExp): Locator => page.locator("#messages article.local", { hasText: text }).last();
  const dialog = () => page.locator("#dialog");
  const steps = new Map<string, number>();
  /** A screenshot with the newest message (or `focus`) in view: the home view keeps its list at the top. */
  const shot = async (role: string, name: string, focus: Locator = page.locator("#messages > *").last()) => {
    // The page re-renders on each poll, which may replace the element meanwhile: the view is a nicety, not a check.
    if (await focus.count()) await focus.scrollIntoViewIfNeeded({ timeout: 2_000 }).catch(() => undefined);
    const n = (steps.get(role) ?? 0) + 1;
    steps.set(role, n);
    await page.screenshot({ path: path.join(ARTIFACTS, `journey-${role}-${lang === "en" ? "en" : "zh"}-${n}-${name}.png`), fullPage: true });
  };
  const member = (handle: string) => ctx.db.prisma.member.findUniqueOrThrow({ where: { handle } });
  const stageName = (code: string) => {
    const stage = ctx.playbook.stages.find((s) => s.code === code)!;
    const name = lang === "en" ? stage.name.en : stage.name.zh;
    return /^P\d$/.test(code) ? `${code} ${name}` : name;
  };
  const tomorrowPlus = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    if (!executablePath) throw new Error("FUNNELBOT_REQUIRE_CHROMIUM=1 but no Chromium was found: set CHROMIUM_PATH, or apt-get install chromium.");
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ ctx, close } = await openContext(loadEnv({ DATABASE_URL: freshSqliteUrl() })));
    expect((await seedDemo(ctx)).seeded).toBe(true);
    bot = await startBot(ctx, { port: 0, host: "127.0.0.1", outboxIntervalMs: 50, scheduler: false, playground: { token } }, pino({ level: "silent" }));
    browser = await chromium.launch({ executablePath, args: chromiumArgs() });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${bot.url}/?token=${token}`);
    await page.waitForSelector("#who option", { state: "attached" });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.close();
    await close?.();
    expect(errors).toEqual([]);
  });

  it("a rep: my list, accept from the DM, BANT with a refused field, the account view, a return with a reason", async () => {
    const rep = await member(cast.rep);
    const mqls = await ctx.db.prisma.account.findMany({ where: { stage: "MQL", ownerId: rep.id }, orderBy: { id: "asc" } });
    expect(mqls.length).toBeGreaterThanOrEqual(2);
    const [mql, other] = [mqls[0]!, mqls[1]!];
    await actAs(cast.rep);

    await type(w.mine);
    const mine = answer(w.mineTitle);
    await mine.waitFor();
    for (const m of mqls) expect(await mine.textContent()).toContain(`#${m.id} ${m.company}`);
    await shot("rep", "mine");

    await page.click('button[data-view="dm"]');
    const card = page.locator("#messages article.card", { hasText: `${mql.company}` }).first();
    await card.waitFor();
    await shot("rep", "dm");
    await card.locator(`button[data-command$="#${mql.id}"]`, { hasText: w.accept }).click();
    // The same card, updated in place: the outcome, no buttons left.
    await page.locator("#messages article.card", { hasText: w.accepted(mql.company, mql.id) }).first().waitFor();
    expect(await page.locator(`#messages button[data-command="lead accept #${mql.id}"]`).count()).toBe(0);
    expect((await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: mql.id } })).stage).toBe("SAL");
    // The click is echoed as the rep would type it.
    await page.locator("#messages article.local .ran", { hasText: w.clickEcho(mql.id) }).waitFor();
    await shot("rep", "accept");

    await type(w.qualify(mql.id));
    const form = dialog().locator(`form[data-meta*="lead qualify #${mql.id}"]`);
    await form.waitFor();
    await form.locator('input[name="budget"]').fill("lots");
    await form.locator('input[name="confirmed"][value="yes"]').check();
    await form.locator('input[name="dm"]').fill("Li Wei");
    await form.locator('input[name="engaged"][value="yes"]').check();
    await form.locator('input[name="need"]').fill("Bulk transactional mail");
    await form.locator('input[name="date"]').fill(tomorrowPlus(120));
    const before = await tableCounts(ctx.db);
    await form.locator('button[type="submit"]').click();
    await dialog().locator('[data-field="budget"] .error', { hasText: w.badAmount }).waitFor();
    // The refused form keeps every answer, the yes/no ones (是/否) too; nothing was written.
    expect(await dialog().locator('input[name="confirmed"][value="yes"]').isChecked()).toBe(true);
    expect(await dialog().locator('input[name="engaged"][value="yes"]').isChecked()).toBe(true);
    expect(await dialog().locator('input[name="dm"]').inputValue()).toBe("Li Wei");
    expect(await tableCounts(ctx.db)).toEqual(before);
    await shot("rep", "bant-refused");
    await dialog().locator('input[name="budget"]').fill("50000");
    await dialog().locator('button[type="submit"]').click();
    const qualified = answer(w.qualified(mql.company));
    await qualified.waitFor();
    // The echo is the command as this person would type it, BANT keys and yes/no included.
    expect(await qualified.locator(".ran").textContent()).toContain(w.bantEcho);
    expect(await qualified.textContent()).toContain(w.amountSet);
    expect(await dialog().evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
    await shot("rep", "bant");

    await type(w.show(mql.id));
    const shown = answer(`#${mql.id} ${mql.company}`);
    await shown.waitFor();
    const text = (await shown.textContent())!;
    for (const part of [w.bant, "Li Wei", "Bulk transactional mail", "50,000", stageName("SQL")]) expect(text).toContain(part);
    // Where it came from names people, not the demo's internal "system" platform; a long email stays inside the card.
    expect(text).not.toContain("system");
    expect(await shown.locator("dl.fields").first().evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await shot("rep", "show");

    await type(w.returnLead(other.id));
    const reasons = dialog().locator(`form[data-meta*="#${other.id}"]`);
    await reasons.waitFor();
    expect(await dialog().locator("h2").textContent()).toBe(w.returnTitle(other.company));
    await reasons.locator('select[name="reason"]').selectOption({ index: 1 });
    await shot("rep", "return-reason");
    await reasons.locator('button[type="submit"]').click();
    await answer(w.returned(other.company)).waitFor();
    const returned = await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: other.id } });
    expect(returned.stage).toBe("RETURNED");
    // Typed in the DM view this time: its own answers there hold no earlier list.
    await type(w.mine);
    await answer(w.mineTitle).waitFor();
    const after = (await answer(w.mineTitle).textContent())!;
    expect(after).toContain(`#${mql.id} ${mql.company}`);
    expect(after).not.toContain(`#${other.id} ${other.company}`);
    await shot("rep", "returned");
  }, 60_000);

  it("a CSM: the checklist dialog refuses an empty tick list, then moves; a next step by button; the account view", async () => {
    const csm = await member(cast.csm);
    const account = await ctx.db.prisma.account.findFirstOrThrow({ where: { stage: { in: ["P1", "P2", "P3"] }, ownerId: csm.id }, orderBy: { id: "asc" } });
    const next = { P1: "P2", P2: "P3", P3: "P4" }[account.stage as "P1"]!;
    await actAs(cast.csm);
    await page.click('button[data-view="home"]');
    // CSMs speak in P-levels: the list shows the code beside the stage name.
    await page.locator("#messages", { hasText: `#${account.id} ${account.company} — ${stageName(account.stage)}` }).waitFor();
    await shot("csm", "home");

    await type(w.advance(account.id));
    await dialog().locator('input[type="checkbox"][name="confirm"]').first().waitFor();
    expect(await dialog().locator("h2").textContent()).toBe(w.checklistTitle(account.company, stageName(account.stage), stageName(next)));
    expect(await dialog().locator('button[type="submit"]').textContent()).toBe(w.moveTo(stageName(next)));
    await dialog().locator('button[type="submit"]').click();
    // Refused in the form's own words, beside the boxes: the items by label, no command flags.
    const problem = dialog().locator('[data-field="confirm"] .error', { hasText: w.checklistRefused });
    await problem.waitFor();
    expect(await dialog().textContent()).not.toMatch(/--confirm|--override/);
    expect(await dialog().evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
    expect((await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: account.id } })).stage).toBe(account.stage);
    await shot("csm", "checklist-refused");
    for (const box of await dialog().locator('input[type="checkbox"][name="confirm"]').all()) await box.check();
    await dialog().locator('button[type="submit"]').click();
    await answer(w.moved(account.company, stageName(account.stage), stageName(next))).waitFor();
    expect((await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: account.id } })).stage).toBe(next);
    await shot("csm", "advanced");

    await type(w.accountShow(account.id));
    const view = answer(`#${account.id} ${account.company}`);
    await view.waitFor();
    await view.locator("button", { hasText: w.nextStep }).click();
    const nextForm = dialog().locator(`form[data-meta*="account next #${account.id}"]`);
    await nextForm.waitFor();
    await nextForm.locator('input[name="date"]').fill("2020-01-01");
    await nextForm.locator('input[name="note"]').fill(w.note);
    await nextForm.locator('button[type="submit"]').click();
    await dialog().locator('[data-field="date"] .error', { hasText: w.pastDate }).waitFor();
    expect(await dialog().locator('input[name="note"]').inputValue()).toBe(w.note);
    await shot("csm", "next-step-refused");
    const day = tomorrowPlus(7);
    await dialog().locator('input[name="date"]').fill(day);
    await dialog().locator('button[type="submit"]').click();
    await answer(w.nextSet(account.company, day)).waitFor();
    await shot("csm", "next-step");

    await type(w.accountShow(account.id));
    await expect.poll(async () => (await page.locator("#messages article.local", { hasText: `#${account.id} ${account.company}` }).count())).toBe(2);
    const shown = (await answer(`#${account.id} ${account.company}`).textContent())!;
    for (const part of [stageName(next), day, w.note, csm.displayName]) expect(shown).toContain(part);
    await shot("csm", "show");
  }, 60_000);

  it("a marketer: a bad email refused, a same-name warning, a new lead handed off with its checklist, landing in #sales", async () => {
    await actAs(cast.marketer);
    const existing = await ctx.db.prisma.account.findFirstOrThrow({ where: { stage: "MQL" }, orderBy: { id: "asc" } });
    const company = `Journey Robotics ${lang}`;

    await type(w.newLead(`"${company}" --email li@@acme`));
    await answer(w.badEmail).waitFor();
    expect(await ctx.db.prisma.account.count({ where: { company } })).toBe(0);
    await shot("marketer", "bad-email");

    await type(w.newLead(`"${existing.company}"`));
    const warned = answer(w.sameName(existing.company, existing.id));
    await warned.waitFor();
    expect(await warned.locator("button", { hasText: w.createAnyway }).count()).toBe(1);
    expect(await ctx.db.prisma.account.count({ where: { company: existing.company } })).toBe(1);
    await shot("marketer", "same-name");

    await type(w.newLead(`"${company}" --email ops@journey-${lang}.example --source webinar`));
    const created = answer(w.created(company));
    await created.waitFor();
    const lead = await ctx.db.prisma.account.findFirstOrThrow({ where: { company } });
    expect(lead.stage).toBe("LEAD");
    await shot("marketer", "created");
    await created.locator("button", { hasText: w.handoff }).click();
    await dialog().locator('input[type="checkbox"][name="confirm"]').first().waitFor();
    expect(await dialog().locator("h2").textContent()).toBe(w.checklistTitle(company, stageName("LEAD"), stageName("MQL")));
    for (const box of await dialog().locator('input[type="checkbox"][name="confirm"]').all()) await box.check();
    await shot("marketer", "handoff-checklist");
    await dialog().locator('button[type="submit"]').click();
    await answer(w.handedOff(company)).waitFor();
    const handed = await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: lead.id }, include: { owner: true } });
    expect(handed.stage).toBe("MQL");
    expect(handed.owner?.teamKey).toBe("sales");
    await shot("marketer", "handed-off");

    await page.click('button[data-view="team:sales"]');
    // #sales speaks its team's language (English in the demo), and names the owner on the channel's copy.
    const channelCard = page.locator("#messages article.card", { hasText: w.channelCard(handed.owner!.displayName, company) });
    await channelCard.first().waitFor();
    await shot("marketer", "sales-channel");
  }, 60_000);

  it("a manager: the funnel, the team digest from the sidebar, the pool, and a reassignment", async () => {
    const manager = await member(cast.manager);
    await actAs(cast.manager);
    await page.click('button[data-view="home"]');
    await type(w.funnel);
    await answer(w.funnelTitle).waitFor();
    await shot("manager", "funnel");

    await page.selectOption("#digest-team", manager.teamKey);
    await page.click('#digest button[type="submit"]');
    const team = ctx.playbook.teams.find((x) => x.key === manager.teamKey)!;
    const digest = answer(w.digest(lang === "en" ? team.name.en : team.name.zh));
    await digest.waitFor();
    await shot("manager", "digest", digest.locator("ul.rows"));
    // Each stalled row offers its next step beside its other actions; the button opens the next-step form.
    const setNext = digest.locator("ul.rows button", { hasText: w.setNextStep }).first();
    await setNext.click();
    await dialog().locator('form[data-meta*="account next #"]').waitFor();
    expect(await dialog().locator("h2").textContent()).toContain(w.nextTitle("").trim());
    await shot("manager", "digest-next-step");
    await dialog().locator("[data-cancel]").click();

    await type(w.pool);
    await answer(w.poolTitle).waitFor();
    await shot("manager", "pool");

    // A manager may skip a checklist: the refused form says so beside the override field, and the reason is kept.
    const signed = await ctx.db.prisma.account.findFirstOrThrow({ where: { stage: "P0" }, orderBy: { id: "asc" } });
    await type(w.advance(signed.id));
    await dialog().locator('input[type="checkbox"][name="confirm"]').first().waitFor();
    await dialog().locator('button[type="submit"]').click();
    await dialog().locator('[data-field="override"] .error', { hasText: w.override }).waitFor();
    await shot("manager", "checklist-override-offered");
    await dialog().locator('input[name="override"]').fill(w.overridden);
    await dialog().locator('button[type="submit"]').click();
    await answer(w.moved(signed.company, stageName("P0"), stageName("P1"))).waitFor();
    expect((await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: signed.id } })).stage).toBe("P1");
    await shot("manager", "checklist-overridden");

    const colleague = await member(cast.colleague);
    const account = await ctx.db.prisma.account.findFirstOrThrow({
      where: { ownerId: { not: colleague.id }, owner: { teamKey: colleague.teamKey }, stage: { notIn: ["LOST", "ARCHIVED"] } }, orderBy: { id: "asc" },
    });
    await type(w.reassign(account.id, colleague.handle));
    await answer(w.reassigned(account.company, colleague.displayName)).waitFor();
    expect((await ctx.db.prisma.account.findUniqueOrThrow({ where: { id: account.id } })).ownerId).toBe(colleague.id);
    await shot("manager", "reassign");
  }, 60_000);
});
