import { pick, t } from "../commands/i18n.js";
import { stageName } from "../commands/render-notice.js";
import { renderError } from "../commands/render-reply.js";
import type { Block, Locale, Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { localDay } from "../domain/calendar.js";
import { fail } from "../domain/errors.js";
import { lastDays } from "../domain/figures.js";
import { ChartRenderError, drawTeamChart, startChartRenderer } from "../charts/renderer.js";
import type { ChartInput } from "../charts/team-chart.js";
import type { ServiceContext } from "./context.js";
import { num, windowName } from "./figures-text.js";
import { figuresFor, loadFiguresData, TREND_WEEKS, type FiguresData, type ManagerFigures } from "./manager-figures.js";

/** Days a business-day SLA spans on the chart's calendar-day axis (five working days a week). */
const BUSINESS_TO_CALENDAR = 7 / 5;

/** The chart's input from a team's figures, in `locale`: the renderer itself knows nothing of playbooks. */
export function chartInput(ctx: ServiceContext, figures: ManagerFigures, locale: Locale): ChartInput {
  const { playbook } = ctx;
  const name = (code: string) => stageName(playbook, code, locale);
  const team = figures.team ? pick(playbook.teams.find((x) => x.key === figures.team)?.name ?? { en: figures.team, zh: figures.team }, locale) : t(locale, "chart.everyone");
  const steps = figures.weekly[0]?.steps ?? [];
  const window = windowName(figures.period.label, locale);
  // Days as the team reads them: its own timezone (the default calendar's for the whole funnel).
  const timezone = ctx.calendars.of(figures.team).timezone;
  return {
    title: t(locale, "chart.title", { team }),
    subtitle: t(locale, "chart.subtitle", { window, day: localDay(ctx.clock(), timezone) }),
    noData: t(locale, "chart.no-data"),
    labels: {
      funnel: t(locale, "chart.funnel"), weekly: t(locale, "chart.weekly", { weeks: figures.weekly.length }), time: t(locale, "chart.time", { window }),
      channels: t(locale, "chart.channels", { window }), count: t(locale, "chart.count"), conversion: t(locale, "chart.conversion"),
      median: t(locale, "chart.median"), sla: t(locale, "chart.sla"), empty: t(locale, "chart.empty"),
    },
    stages: figures.stages.map((s) => ({ label: name(s.stage), count: s.count, amount: num(s.amount), conversion: figures.conversion.find((c) => c.from === s.stage)?.rate ?? null })),
    weekly: {
      weeks: figures.weekly.map((w) => localDay(w.span.from, timezone).slice(5)),
      series: steps.map((step, i) => ({ label: `${name(step.from)}→${name(step.to)}`, rates: figures.weekly.map((w) => w.steps[i]?.rate ?? null) })),
    },
    times: figures.times.map((x) => ({ label: name(x.stage), median: x.medianDays, sla: x.sla ? (x.sla.unit === "business" ? Math.round(x.sla.days * BUSINESS_TO_CALENDAR * 10) / 10 : x.sla.days) : null })),
    channels: {
      milestones: (figures.channels[0]?.steps ?? []).map((s) => name(s.stage)),
      rows: figures.channels.map((c) => ({ label: c.source ?? t(locale, "funnel.source-none"), counts: c.steps.map((s) => s.accounts) })),
    },
  };
}

/** The image block of a team's chart (all teams' when `team` is null). */
export async function chartBlock(ctx: ServiceContext, figures: ManagerFigures, locale: Locale): Promise<Extract<Block, { kind: "image" }>> {
  const input = chartInput(ctx, figures, locale);
  // Drawn in the renderer's own process (ECharts and resvg never load in the bot's); a ChartRenderError when it fails.
  const png = await drawTeamChart(input);
  const day = localDay(ctx.clock(), ctx.calendars.of(figures.team).timezone);
  return { kind: "image", png: png.toString("base64"), alt: `${input.title} · ${input.subtitle}`, name: `funnel-${figures.team ?? "all"}-${day}.png` };
}

/** What every team's chart is drawn from, over the last `weeks` weeks: load it once for a morning's charts. */
export function chartData(ctx: ServiceContext, weeks = TREND_WEEKS): Promise<FiguresData> {
  // A chart follows: its renderer's process starts now, while the figures' queries run.
  startChartRenderer();
  return loadFiguresData(ctx, lastDays(weeks * 7, ctx.clock()), weeks);
}

/** A team's figures over the last `weeks` weeks, with as many weeks of trend (from `data` when given). */
export async function teamChartFigures(ctx: ServiceContext, team: string | null, weeks = TREND_WEEKS, data?: FiguresData): Promise<ManagerFigures> {
  startChartRenderer();
  return figuresFor(ctx, data ?? (await chartData(ctx, weeks)), team, { channels: true });
}

/** `/funnel chart [team] [weeks]`: the team's picture (the asker's team by default), on demand. */
export async function funnelChart(ctx: ServiceContext, actor: Actor, command: { team: string | null; weeks: number | null }): Promise<Reply> {
  const locale = actor.locale;
  if (command.team !== null && !ctx.playbook.teams.some((x) => x.key === command.team)) return renderError(fail("unknown-team", { team: command.team }), locale, ctx.playbook);
  const figures = await teamChartFigures(ctx, command.team ?? actor.teamKey, command.weeks ?? TREND_WEEKS);
  try {
    const image = await chartBlock(ctx, figures, locale);
    return { text: image.alt, ephemeral: true, blocks: [image] };
  } catch (error) {
    if (error instanceof ChartRenderError) return renderError(fail("chart-failed"), locale, ctx.playbook);
    throw error;
  }
}
