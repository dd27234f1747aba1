import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedStages, lastDays, openStages, parseWindow, parseMonth, channelMilestones } from "../../src/domain/figures.js";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { PRESETS } from "../../src/domain/presets/index.js";
import { chartInput, teamChartFigures } from "../../src/services/funnel-chart.js";
import { funnelSummary } from "../../src/services/funnel-summary.js";
import { repLines } from "../../src/services/figures-text.js";
import { figuresFor, loadFiguresData, type ManagerFigures } from "../../src/services/manager-figures.js";
import { recordSpend } from "../../src/store/figures.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const NOW = new Date("2026-11-23T02:00:00Z");
const TZ = "Asia/Shanghai";
const at = (iso: string) => new Date(`${iso}Z`);

describe("windows (pure)", () => {
  it("reads days and quarters, each with the previous period of the same length", () => {
    const days = parseWindow("90d", NOW, TZ);
    expect(days.ok && days.value.current.from).toEqual(new Date(NOW.getTime() - 90 * 86_400_000));
    expect(days.ok && days.value.previous.until).toEqual(days.ok && days.value.current.from);
    const q3 = parseWindow("2026-Q3", NOW, TZ);
    expect(q3.ok && q3.value.current).toEqual({ from: new Date("2026-06-30T16:00:00Z"), until: new Date("2026-09-30T16:00:00Z") });
    // Q3 has 92 days, so the period before it is the 92 days up to 1 July, not Q2's 91.
    expect(q3.ok && q3.value.previous).toEqual({ from: new Date("2026-03-30T16:00:00Z"), until: new Date("2026-06-30T16:00:00Z") });
    // The current quarter runs up to now, compared with as many days before it.
    const q4 = parseWindow("2026-q4", NOW, TZ);
    expect(q4.ok && q4.value.current).toEqual({ from: new Date("2026-09-30T16:00:00Z"), until: new Date(NOW.getTime() + 1) });
  });
  it("refuses a future quarter and what is not a window", () => {
    expect(parseWindow("2027-Q1", NOW, TZ)).toMatchObject({ ok: false, error: { code: "invalid-window", details: { future: true } } });
    for (const bad of ["0d", "9999d", "2026-Q5", "soon", "30", "-3d"]) expect(parseWindow(bad, NOW, TZ)).toMatchObject({ ok: false, error: { code: "invalid-window" } });
    expect(parseMonth("2026-13", "2026-11-23")).toMatchObject({ ok: false });
    expect(parseMonth("2026-12", "2026-11-23")).toMatchObject({ ok: false, error: { details: { future: true } } });
    expect(parseMonth("2026-9", "2026-11-23")).toEqual({ ok: true, value: "2026-09" });
  });
  it("derives the closed stages from each preset's transitions, never from codes", () => {
    const closed = (name: string) => [...closedStages(PlaybookSchema.parse(PRESETS[name as keyof typeof PRESETS]))].sort();
    expect(closed("email-saas")).toEqual(["ARCHIVED", "CHURNED", "LOST", "UNQUALIFIED"]);
    for (const name of Object.keys(PRESETS)) {
      const playbook = PlaybookSchema.parse(PRESETS[name as keyof typeof PRESETS]);
      // Every preset keeps its first stage and its customer stages open, and has some way to end.
      expect(openStages(playbook)).toContain(playbook.initialStage);
      expect(closedStages(playbook).size).toBeGreaterThan(0);
      expect(channelMilestones(playbook).length).toBeGreaterThanOrEqual(3);
    }
  });
});

describe.each(testDatabases())("a manager's figures on a fixed data set, on $name", ({ url }) => {
  let f: Fixture;
  let all: ManagerFigures;
  let sales: ManagerFigures;

  beforeAll(async () => {
    f = await openFixture(await url());
    f.clock.set(NOW);
    const p = f.db.prisma;
    const { mia, alice, bob } = f.members as Record<string, { id: number }>;
    type Move = [from: string | null, to: string, when: string, actor: number | null, seconds: number | null];
    const account = async (company: string, source: string | null, stage: string, entered: string, owner: number | null, amount: number, moves: Move[], currency = "CNY") => {
      const a = await p.account.create({ data: { company, source, stage, stageEnteredAt: at(entered), lastActivityAt: at(entered), ownerId: owner, amount, currency } });
      for (const [from, to, when, actor, seconds] of moves) {
        await p.stageEvent.create({ data: { accountId: a.id, kind: from === null ? "created" : "transition", fromStage: from, toStage: to, actorId: actor, at: at(when), platform: "cli", secondsInStage: seconds } });
      }
      return a.id;
    };
    const H = 3600;
    const D = 86_400;
    await account("A1 webinar won", "webinar", "P0", "2026-11-10T02:00:00", alice!.id, 120_000, [
      [null, "LEAD", "2026-11-01T02:00:00", mia!.id, null], ["LEAD", "MQL", "2026-11-02T02:00:00", mia!.id, D],
      ["MQL", "SAL", "2026-11-02T04:00:00", alice!.id, 2 * H], ["SAL", "SQL", "2026-11-05T04:00:00", alice!.id, 3 * D], ["SQL", "P0", "2026-11-10T02:00:00", alice!.id, 5 * D],
    ]);
    await account("A2 webinar open", "webinar", "SQL", "2026-11-10T02:00:00", bob!.id, 50_000, [
      [null, "LEAD", "2026-11-03T02:00:00", mia!.id, null], ["LEAD", "MQL", "2026-11-04T02:00:00", mia!.id, D],
      ["MQL", "SAL", "2026-11-04T06:00:00", bob!.id, 4 * H], ["SAL", "SQL", "2026-11-10T02:00:00", bob!.id, 6 * D],
    ]);
    await account("A3 webinar returned", "webinar", "RETURNED", "2026-11-07T02:00:00", null, 0, [
      [null, "LEAD", "2026-11-05T02:00:00", mia!.id, null], ["LEAD", "MQL", "2026-11-06T02:00:00", mia!.id, D], ["MQL", "RETURNED", "2026-11-07T02:00:00", alice!.id, D],
    ]);
    await account("A4 ads lost", "ads", "LOST", "2026-11-20T02:00:00", alice!.id, 30_000, [
      [null, "LEAD", "2026-11-06T02:00:00", mia!.id, null], ["LEAD", "MQL", "2026-11-07T02:00:00", mia!.id, D],
      ["MQL", "SAL", "2026-11-07T08:00:00", alice!.id, 6 * H], ["SAL", "SQL", "2026-11-12T02:00:00", alice!.id, 5 * D], ["SQL", "LOST", "2026-11-20T02:00:00", alice!.id, 8 * D],
    ]);
    await account("A5 ads stuck in SAL", "ads", "SAL", "2026-10-01T04:00:00", bob!.id, 10_000, [
      [null, "LEAD", "2026-09-30T02:00:00", mia!.id, null], ["LEAD", "MQL", "2026-10-01T02:00:00", mia!.id, D], ["MQL", "SAL", "2026-10-01T04:00:00", bob!.id, 2 * H],
    ]);
    await account("A6 no source stuck in MQL", null, "MQL", "2026-10-11T02:00:00", alice!.id, 0, [
      [null, "LEAD", "2026-10-10T02:00:00", mia!.id, null], ["LEAD", "MQL", "2026-10-11T02:00:00", mia!.id, D],
    ]);
    await account("A7 ads signed this week", "ads", "P0", "2026-11-20T02:00:00", bob!.id, 20_000, [
      [null, "LEAD", "2026-09-01T02:00:00", mia!.id, null], ["SQL", "P0", "2026-11-20T02:00:00", bob!.id, 20 * D],
    ]);
    await account("A8 dollars", "ads", "SQL", "2026-08-01T02:00:00", null, 8_000, [[null, "LEAD", "2026-08-01T02:00:00", mia!.id, null]], "USD");
    const spend = { currency: "CNY", actorId: mia!.id, platform: "cli", at: NOW };
    await recordSpend(f.db, { ...spend, channel: "webinar", month: "2026-11", amount: 30_000 });
    await recordSpend(f.db, { ...spend, channel: "webinar", month: "2026-11", amount: 60_000 });
    await recordSpend(f.db, { ...spend, channel: "webinar", month: "2026-10", amount: 99_999 });
    await recordSpend(f.db, { ...spend, channel: "seo", month: "2026-11", amount: 5_000 });
    const data = await loadFiguresData(f.ctx, lastDays(30, NOW));
    all = await figuresFor(f.ctx, data, null);
    sales = await figuresFor(f.ctx, data, "sales");
  });
  afterAll(async () => f?.close());

  it("computes conversion between steps from the events, against the previous 30 days", () => {
    const step = (from: string) => all.conversion.find((c) => c.from === from);
    expect(step("LEAD")).toMatchObject({ to: "MQL", forward: 4, total: 4, rate: 100, previousRate: 100 });
    expect(step("MQL")).toMatchObject({ to: "SAL", forward: 3, total: 4, rate: 75, previousRate: 100 });
    expect(step("SAL")).toMatchObject({ to: "SQL", forward: 3, total: 3, rate: 100, previousRate: null });
    expect(step("SQL")).toMatchObject({ to: "PQL", forward: 0, total: 3, rate: 0 });
  });

  it("counts open stages only, and each team sees its own", () => {
    const codes = all.stages.map((s) => s.stage);
    for (const closed of ["LOST", "ARCHIVED", "CHURNED", "UNQUALIFIED"]) expect(codes).not.toContain(closed);
    expect(codes).toContain("RETURNED");
    expect(sales.stages.map((s) => s.stage)).toEqual(["MQL", "SAL", "SQL", "PQL", "P0", "P5"]);
    expect(sales.stages.find((s) => s.stage === "SQL")).toMatchObject({ count: 2, amount: 58_000, entered: 3, previousEntered: 0 });
    expect(sales.stages.find((s) => s.stage === "MQL")).toMatchObject({ count: 1, entered: 4, previousEntered: 2 });
  });

  it("measures time in stage from the events' own durations, against the SLA", () => {
    const mql = all.times.find((t) => t.stage === "MQL")!;
    // 2 h, 4 h, 6 h and 24 h: mean 9 h = 0.375 d; median in the 4 h bucket (exact to the hour) = 4.5 h.
    expect(mql).toMatchObject({ moves: 4, sla: { days: 1, unit: "business" }, overSla: false });
    expect(mql.meanDays).toBeCloseTo(0.375, 6);
    expect(mql.medianDays).toBeCloseTo(4.5 / 24, 6);
    expect(all.times.find((t) => t.stage === "SQL")).toMatchObject({ moves: 3, overSla: false });
  });

  it("gives each rep's pipeline, accepted → qualified, win rate, speed to lead and overdue count", () => {
    const rep = (name: string) => sales.reps.find((r) => r.name === name)!;
    expect(rep("Alice")).toMatchObject({
      openCount: 2, openAmount: 120_000, accepted: 2, qualified: 2, acceptToQualify: 100, won: 1, lost: 1, winRate: 50, medianAcceptHours: 2, overdue: 2,
      open: [{ stage: "MQL", count: 1, amount: 0 }, { stage: "P0", count: 1, amount: 120_000 }],
    });
    expect(rep("Bob")).toMatchObject({ openCount: 3, openAmount: 80_000, accepted: 1, qualified: 1, won: 1, lost: 0, winRate: 100, medianAcceptHours: 4, overdue: 1 });
    expect(rep("Sam")).toMatchObject({ openCount: 0, accepted: 0, acceptToQualify: null, winRate: null, medianAcceptHours: null, overdue: 0 });
  });

  it("compares each rep's rates with the 30 days before, like the team's figures", () => {
    const rep = (name: string) => sales.reps.find((r) => r.name === name)!;
    // 24 Sep – 24 Oct: Bob accepted A5 (2 h) and qualified nothing; he decided no deal. Alice did nothing then, and
    // her accepts of November stay out of that period's median (it ends where the current one begins).
    expect(rep("Bob").previous).toEqual({ acceptToQualify: 0, winRate: null, medianAcceptHours: 2 });
    expect(rep("Alice").previous).toEqual({ acceptToQualify: null, winRate: null, medianAcceptHours: null });
    const lines = repLines(f.ctx.playbook, sales.reps, "en");
    expect(lines.find((l) => l.startsWith("Bob"))).toContain("accepted → qualified 100% (▲ 100 pts) (1/1)");
    expect(lines.find((l) => l.startsWith("Bob"))).toContain("median to accept 4.0 h (▲ 2.0 h)");
    // No earlier rate, no change shown.
    expect(lines.find((l) => l.startsWith("Alice"))).toContain("accepted → qualified 100% (2/2) · win rate 50% (1/2) · median to accept 2.0 h ·");
    expect(repLines(f.ctx.playbook, sales.reps, "zh-CN").find((l) => l.startsWith("Bob"))).toContain("接受→商机 100%(▲ 100 个百分点)");
  });

  it("weights the forecast per currency by the playbook's probabilities, with the week's change", () => {
    // CNY: SQL 50 000 × 0.3 + P0 (120 000 + 20 000) × 0.9 = 141 000 of 190 000. This week A4 left SQL for
    // LOST (−30 000, weighted −9 000) and A7 went SQL → P0 (0, weighted +20 000 × 0.6 = +12 000).
    expect(all.forecast).toEqual([
      { currency: "CNY", amount: 190_000, weighted: 141_000, amountChange: -30_000, weightedChange: 3_000 },
      { currency: "USD", amount: 8_000, weighted: 2_400, amountChange: 0, weightedChange: 0 },
    ]);
    expect(sales.forecast).toEqual(all.forecast);
  });

  it("gives each channel leads → MQL → SQL → customer with rates, CAC, LTV and CAC/LTV, and says when there is no spend", () => {
    const channel = (source: string | null) => all.channels.find((c) => c.source === source);
    const webinar = channel("webinar")!;
    expect(webinar.steps.map((s) => [s.stage, s.accounts])).toEqual([["LEAD", 3], ["MQL", 3], ["SQL", 2], ["P0", 1]]);
    expect(webinar.steps.map((s) => s.rate && Math.round(s.rate * 10) / 10)).toEqual([null, 100, 66.7, 50]);
    // The latest entry for November wins (60 000, not 30 000); October is outside the window.
    expect(webinar).toMatchObject({ customers: 1, spend: 60_000, currency: "CNY", cac: 60_000, ltv: 120_000, cacToLtv: 0.5 });
    expect(channel("ads")).toMatchObject({ customers: 1, spend: null, cac: null, ltv: 20_000, cacToLtv: null });
    expect(channel("ads")!.steps.map((s) => s.accounts)).toEqual([1, 1, 1, 0]);
    expect(channel("seo")).toMatchObject({ customers: 0, spend: 5_000, cac: null, ltv: null });
    expect(sales.channels).toEqual([]);
  });

  it("buckets the weekly conversion over the last eight weeks", () => {
    expect(all.weekly).toHaveLength(8);
    const lastWeek = all.weekly.at(-1)!;
    // 16–23 Nov: only A4 SQL → LOST and A7 SQL → P0 left a stage.
    expect(lastWeek.steps.find((s) => s.from === "SQL")).toMatchObject({ forward: 0, total: 2, rate: 0 });
    expect(lastWeek.steps.find((s) => s.from === "MQL")).toMatchObject({ total: 0, rate: null });
  });
});

describe.each(testDatabases())("one definition of each figure: /funnel's text and the chart, on $name", ({ url }) => {
  let f: Fixture;
  // Tuesday 02:00 in Shanghai, Monday 18:00 UTC and 10:00 in Los Angeles: the local day differs by zone.
  const LATE = new Date("2026-11-23T18:00:00Z");
  const WEEK = 7 * 86_400_000;
  const edge = new Date(LATE.getTime() - WEEK);

  beforeAll(async () => {
    f = await openFixture(await url());
    f.clock.set(LATE);
    const p = f.db.prisma;
    const { mia, alice } = f.members as Record<string, { id: number }>;
    const account = async (company: string, source: string | null, stage: string, moves: [string | null, string, Date][]) => {
      const a = await p.account.create({ data: { company, source, stage, stageEnteredAt: moves.at(-1)![2], lastActivityAt: moves.at(-1)![2], ownerId: alice!.id, amount: 1_000, currency: "CNY" } });
      for (const [from, to, when] of moves) {
        await p.stageEvent.create({ data: { accountId: a.id, kind: from === null ? "created" : "transition", fromStage: from, toStage: to, actorId: from === null ? mia!.id : alice!.id, at: when, platform: "cli", secondsInStage: from === null ? null : 3600 } });
      }
    };
    const created = new Date(edge.getTime() - 2 * 86_400_000);
    // Accepted exactly on the last week's first instant: that week's. Returned a millisecond before: the week before's.
    await account("On the edge", "webinar", "SAL", [[null, "LEAD", created], ["LEAD", "MQL", created], ["MQL", "SAL", edge]]);
    await account("Just before", "webinar", "RETURNED", [[null, "LEAD", created], ["LEAD", "MQL", created], ["MQL", "RETURNED", new Date(edge.getTime() - 1)]]);
    // A channel with spend and no leads at all.
    await recordSpend(f.db, { channel: "seo", month: "2026-11", amount: 5_000, currency: "CNY", actorId: mia!.id, platform: "cli", at: LATE });
  });
  afterAll(async () => f?.close());

  it("gives /funnel and the chart the same figures for the same window", async () => {
    for (const team of [null, "sales", "marketing"]) {
      const text = await funnelSummary(f.ctx, team, "en", "56d");
      const chart = await teamChartFigures(f.ctx, team, 8);
      // The chart always shows the channels; /funnel shows them to the team that takes leads in, or everyone.
      expect({ ...(text.data as ManagerFigures), channels: [] }).toEqual({ ...chart, channels: [] });
      if ((text.data as ManagerFigures).channels.length) expect((text.data as ManagerFigures).channels).toEqual(chart.channels);
      // What the picture draws is read from those figures, nothing recomputed.
      const input = chartInput(f.ctx, chart, "en");
      expect(input.stages.map((s) => s.count)).toEqual(chart.stages.map((s) => s.count));
      expect(input.stages.map((s) => s.conversion)).toEqual(chart.stages.map((s) => chart.conversion.find((c) => c.from === s.stage)?.rate ?? null));
      expect(input.times.map((s) => s.median)).toEqual(chart.times.map((s) => s.medianDays));
    }
    const all = (await funnelSummary(f.ctx, null, "en", "56d")).text;
    expect(all).toContain("MQL → Sales accepted: 50% (1 of 2)");
  });

  it("puts a move on a week's first instant in that week, one a millisecond earlier in the week before, and leaves empty weeks empty", async () => {
    const chart = await teamChartFigures(f.ctx, null, 8);
    const mql = (week: number) => chart.weekly[week]!.steps.find((s) => s.from === "MQL")!;
    expect(chart.weekly.at(-1)!.span).toEqual({ from: edge, until: LATE });
    expect(mql(7)).toMatchObject({ forward: 1, total: 1, rate: 100 });
    expect(mql(6)).toMatchObject({ forward: 0, total: 1, rate: 0 });
    for (let week = 0; week < 6; week++) expect(chart.weekly[week]!.steps.every((s) => s.total === 0 && s.rate === null)).toBe(true);
  });

  it("labels the chart's weeks by their first day in the team's own timezone", async () => {
    // The default calendar is Shanghai's: the last week began on Tuesday 17 November there.
    const everyone = chartInput(f.ctx, await teamChartFigures(f.ctx, null, 8), "en");
    expect(everyone.weekly.weeks.at(-1)).toBe("11-17");
    expect(everyone.weekly.weeks[0]).toBe("09-29");
    expect(everyone.weekly.series.find((s) => s.label.startsWith("MQL"))!.rates).toEqual([null, null, null, null, null, null, 0, 100]);
    await f.db.prisma.team.update({ where: { key: "sales" }, data: { timezone: "America/Los_Angeles" } });
    await f.ctx.calendars.refresh(f.ctx, LATE);
    try {
      const sales = chartInput(f.ctx, await teamChartFigures(f.ctx, "sales", 8), "en");
      expect(sales.weekly.weeks.at(-1)).toBe("11-16");
      expect(sales.subtitle).toContain("2026-11-23");
    } finally {
      await f.db.prisma.team.update({ where: { key: "sales" }, data: { timezone: null } });
      await f.ctx.calendars.refresh(f.ctx, LATE);
    }
  });

  it("lists a channel with spend and no leads with zero at every step and neither CAC nor LTV, in the text and the chart", async () => {
    const chart = await teamChartFigures(f.ctx, null, 8);
    const seo = chart.channels.find((c) => c.source === "seo")!;
    expect(seo).toMatchObject({ customers: 0, spend: 5_000, currency: "CNY", cac: null, ltv: null, cacToLtv: null });
    expect(seo.steps.map((s) => [s.accounts, s.rate])).toEqual([[0, null], [0, null], [0, null], [0, null]]);
    expect(chartInput(f.ctx, chart, "en").channels.rows.find((r) => r.label === "seo")!.counts).toEqual([0, 0, 0, 0]);
    expect((await funnelSummary(f.ctx, null, "en", "56d")).text).toContain("seo: Lead 0 → MQL 0 → Opportunity 0 → P0 Signed 0 · spend CNY 5,000 · 0 won · CAC — · LTV —");
  });
});
