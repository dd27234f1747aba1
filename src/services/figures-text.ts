import { t } from "../commands/i18n.js";
import { stageName } from "../commands/render-notice.js";
import type { Locale } from "../commands/reply.js";
import type { ChannelFigure, ForecastFigure, RepFigure, StageTimeFigure, StepConversion } from "../domain/figures.js";
import type { Playbook, Sla } from "../domain/playbook.js";
import type { ManagerFigures, StageFigure } from "./manager-figures.js";

/** A whole number with thousands separators. */
export function num(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** An amount with its currency code: `CNY 190,000`. */
export function money(amount: number, currency: string | null): string {
  return `${currency ?? ""} ${num(amount)}`.trim();
}

function pct(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate)}%`;
}

/** The change of a rate against the previous period, in points: ` (▲ 5 pts)`; nothing when there is no earlier rate. */
export function rateChange(rate: number | null, previous: number | null, locale: Locale): string {
  if (rate === null || previous === null) return "";
  const d = Math.round(rate - previous);
  return d === 0 ? t(locale, "figures.same") : t(locale, "figures.points", { arrow: d > 0 ? "▲" : "▼", n: Math.abs(d) });
}

/** The change of a count or amount: ` (▲ 3)`. */
export function countChange(now: number, before: number, locale: Locale, format: (n: number) => string = num): string {
  const d = now - before;
  return d === 0 ? t(locale, "figures.same") : ` (${d > 0 ? "▲" : "▼"} ${format(Math.abs(d))})`;
}

/** Each open stage: accounts now, their amount, and how many entered it in the period against the one before. */
export function stageLines(playbook: Playbook, stages: readonly StageFigure[], locale: Locale): string[] {
  return stages.filter((s) => s.count || s.entered || s.previousEntered).map((s) => t(locale, "figures.stage", {
    stage: stageName(playbook, s.stage, locale), count: s.count, amount: num(s.amount), entered: s.entered,
    change: countChange(s.entered, s.previousEntered, locale),
  }));
}

/** `MQL → Sales accepted: 75% (3 of 4) (▼ 25 pts)`. */
export function conversionLines(playbook: Playbook, steps: readonly StepConversion[], locale: Locale): string[] {
  return steps.filter((s) => s.total > 0).map((s) =>
    t(locale, "funnel.conversion", { from: stageName(playbook, s.from, locale), to: stageName(playbook, s.to, locale), rate: Math.round(s.rate ?? 0), forward: s.forward, total: s.total })
    + rateChange(s.rate, s.previousRate, locale));
}

function slaText(sla: Sla | null, locale: Locale): string {
  return sla ? t(locale, "funnel.time-sla", { days: sla.days, unit: t(locale, sla.unit === "business" ? "unit.business" : "unit.calendar") }) : "";
}

/** `MQL: avg 0.4 d, median 0.2 d vs SLA 1 business days (4 moves)`, flagged when the median is over the SLA. */
export function timeLines(playbook: Playbook, times: readonly StageTimeFigure[], locale: Locale): string[] {
  return times.map((x) => t(locale, "funnel.time", {
    stage: stageName(playbook, x.stage, locale), mean: x.meanDays.toFixed(1), median: x.medianDays.toFixed(1), moves: x.moves, sla: slaText(x.sla, locale),
  }) + (x.overSla ? ` ⚠️ ${t(locale, "figures.over-sla")}` : ""));
}

/** A median time to accept against the period before: ` (▼ 1.5 h)`; nothing when either is missing. */
function hoursChange(now: number | null, before: number | null, locale: Locale): string {
  if (now === null || before === null) return "";
  return countChange(Math.round(now * 10), Math.round(before * 10), locale, (n) => `${(n / 10).toFixed(1)} h`);
}

/**
 * One line per rep: open pipeline, accepted → qualified, win rate, speed to lead, overdue, each rate with its
 * change against the period before (pipeline and overdue are today's counts).
 */
export function repLines(playbook: Playbook, reps: readonly RepFigure[], locale: Locale): string[] {
  return reps.map((r) => t(locale, "figures.rep", {
    name: r.name, open: r.openCount, amount: num(r.openAmount),
    stages: r.open.map((o) => `${stageName(playbook, o.stage, locale)} ${o.count}`).join(", ") || "—",
    a2q: pct(r.acceptToQualify) + rateChange(r.acceptToQualify, r.previous.acceptToQualify, locale), qualified: r.qualified, accepted: r.accepted,
    win: pct(r.winRate) + rateChange(r.winRate, r.previous.winRate, locale), won: r.won, decided: r.won + r.lost,
    speed: r.medianAcceptHours === null ? "—" : `${r.medianAcceptHours.toFixed(1)} h${hoursChange(r.medianAcceptHours, r.previous.medianAcceptHours, locale)}`, overdue: r.overdue,
  }));
}

/** One line per channel: reach at each milestone with rates, spend, CAC, LTV, CAC/LTV, or "no spend recorded". */
export function channelLines(playbook: Playbook, channels: readonly ChannelFigure[], locale: Locale): string[] {
  return channels.map((c) => {
    const steps = c.steps.map((s) => `${stageName(playbook, s.stage, locale)} ${s.accounts}${s.rate === null ? "" : ` (${pct(s.rate)})`}`).join(" → ");
    const money_ = c.spend === null
      ? t(locale, "figures.no-spend")
      : t(locale, "figures.spend", {
        spend: money(c.spend, c.currency), customers: c.customers,
        cac: c.cac === null ? "—" : money(c.cac, c.currency), ltv: c.ltv === null ? "—" : money(c.ltv, c.currency),
        ratio: c.cacToLtv === null ? "—" : c.cacToLtv.toFixed(2),
      });
    const ltvOnly = c.spend === null && c.ltv !== null ? ` · ${t(locale, "figures.ltv", { ltv: money(c.ltv, null), customers: c.customers })}` : "";
    return `${c.source ?? t(locale, "funnel.source-none")}: ${steps} · ${money_}${ltvOnly}`;
  });
}

/** The forecast per currency, unweighted and weighted, with the week's change. */
export function forecastLines(playbook: Playbook, forecasts: readonly ForecastFigure[], locale: Locale): string[] {
  const stages = playbook.stages.filter((s) => s.forecast).map((s) => `${stageName(playbook, s.code, locale)}${s.probability === null ? "" : ` ${Math.round(s.probability * 100)}%`}`).join(" + ");
  if (forecasts.length === 0) return [t(locale, "figures.forecast-none", { stages })];
  return forecasts.map((f) => t(locale, "figures.forecast", {
    stages, amount: money(f.amount, f.currency), weighted: money(f.weighted, f.currency),
    change: countChange(f.amount, f.amount - f.amountChange, locale, (n) => num(n)),
    wchange: countChange(f.weighted, f.weighted - f.weightedChange, locale, (n) => num(n)),
  }));
}

/** A window as people say it: "30 days" / "30 天" for `30d`; a quarter (2026-Q3) as it is written. */
export function windowName(label: string, locale: Locale): string {
  const days = /^(\d+)d$/.exec(label);
  return days ? t(locale, "window.days", { n: Number(days[1]) }) : label;
}

/** Every section of the figures as a heading and its lines, empty sections left out. */
export function figureSections(playbook: Playbook, figures: ManagerFigures, locale: Locale): [string, string[]][] {
  const label = windowName(figures.period.label, locale);
  const sections: [string, string[]][] = [
    [t(locale, "figures.stages-title", { window: label }), stageLines(playbook, figures.stages, locale)],
    [t(locale, "figures.conversion-title", { window: label }), conversionLines(playbook, figures.conversion, locale)],
    [t(locale, "figures.time-title", { window: label }), timeLines(playbook, figures.times, locale)],
    [t(locale, "figures.reps-title", { window: label }), repLines(playbook, figures.reps, locale)],
    [t(locale, "figures.channels-title", { window: label }), channelLines(playbook, figures.channels, locale)],
    [t(locale, "figures.forecast-title"), figures.forecast.length || figures.team === null ? forecastLines(playbook, figures.forecast, locale) : []],
  ];
  return sections.filter(([, lines]) => lines.length > 0);
}
