import { pick, t } from "../commands/i18n.js";
import { stageName } from "../commands/render-notice.js";
import { dayCount, nextStepButton } from "../commands/render-reply.js";
import type { Block, Button, Locale, Reply } from "../commands/reply.js";
import { elapsedDays, localDay, type BusinessCalendar } from "../domain/calendar.js";
import { forecast, openStages } from "../domain/figures.js";
import { forwardMove } from "../domain/funnel.js";
import { commandOfMove } from "../commands/vocabulary.js";
import { forecastLines, money } from "./figures-text.js";
import { stageOf } from "../domain/playbook.js";
import { overdueRatio, stallRules } from "../domain/stalled.js";
import { medianMoveTimeByActor } from "../store/funnel.js";
import { stalledAccounts, type StalledAccount } from "../store/stalled.js";
import { findTeam } from "../store/teams.js";
import { gapNotes } from "./calendars.js";
import type { ServiceContext } from "./context.js";
import { funnelFacts, loadFunnelData, TIME_IN_STAGE_DAYS, type FunnelData } from "./funnel-summary.js";

const DAY_MS = 86_400_000;
/** The digest's conversion rates are this week's: the moves of the last seven days. */
export const DIGEST_CONVERSION_DAYS = 7;

/**
 * Every team's digest with the shared funnel data loaded once, as the scheduler's morning run builds them: all at
 * once, each team's own statements running beside the shared data.
 */
export async function buildDigests(ctx: ServiceContext, teamKeys: readonly string[]): Promise<Map<string, Reply>> {
  const data = loadFunnelData(ctx, DIGEST_CONVERSION_DAYS);
  const replies = await Promise.all(teamKeys.map((key) => buildDigest(ctx, key, { data })));
  return new Map(teamKeys.map((key, i) => [key, replies[i]!]));
}

/** Stalled accounts listed by name; the rest are counted ("and N more"). */
const LISTED = 15;

/**
 * The daily digest of one owning team, in the team's language (or `locale` for a preview): its stalled
 * accounts worst first, its funnel counts, this week's conversion, time in stage against SLA, the
 * forecast, and for the team that accepts MQLs each rep's median speed to lead. `data`, the funnel data every
 * team shares, may still be loading: the team's own statements (its language, stalled list and speed to lead)
 * run beside it, each on a connection of its own on PostgreSQL.
 */
export async function buildDigest(ctx: ServiceContext, teamKey: string, options: { locale?: Locale; data?: FunnelData | Promise<FunnelData> } = {}): Promise<Reply> {
  const { playbook } = ctx;
  // The team's stalled list holds the stages it leads, so its own calendar counts their SLAs.
  const calendar = ctx.calendars.of(teamKey);
  const now = ctx.clock();
  const team = playbook.teams.find((x) => x.key === teamKey);
  // The team's stages for counts and rates; its stalled list holds the stages it leads (listed first in
  // `teams`), so an account shared by sales and CS is chased by one team, not two.
  const owned = playbook.stages.filter((s) => s.teams.includes(teamKey)).map((s) => s.code);
  const led = playbook.stages.filter((s) => s.teams[0] === teamKey).map((s) => s.code);
  const [found, { accounts, counts }, data, reps] = await Promise.all([
    options.locale ? null : findTeam(ctx.db, teamKey),
    stalledAccounts(ctx.db, stallRules(playbook, calendar, led, now), now),
    options.data ?? loadFunnelData(ctx, DIGEST_CONVERSION_DAYS),
    speedToLead(ctx, teamKey, now),
  ]);
  const lang: Locale = options.locale ?? (found?.locale === "zh-CN" ? "zh-CN" : "en");
  const facts = funnelFacts(ctx, data, owned, lang);
  // Each account's ratio once: it formats dates in the business timezone, too dear for a comparator.
  const ratios = new Map(accounts.map((a) => {
    const stage = stageOf(playbook, a.stage);
    return [a.id, overdueRatio(calendar, stage?.sla ?? null, stage?.idleDays ?? null, a.stageEnteredAt, a.lastActivityAt, now)];
  }));
  const worst = [...accounts].sort((a, b) => ratios.get(b.id)! - ratios.get(a.id)! || a.id - b.id);
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const items = worst.slice(0, LISTED).map((a) => stalledLine(ctx, calendar, a, now, lang));
  const gaps = gapNotes(calendar, now, lang);

  const title = t(lang, "digest.title", { team: team ? pick(team.name, lang) : teamKey, day: localDay(now, calendar.timezone) });
  // Counts of open accounts only: a closed stage (lost, churned …) has nothing left to chase.
  const countLines = openStages(playbook, teamKey).filter((code) => facts.counts.has(code)).map((code) => ({ label: stageName(playbook, code, lang), value: String(facts.counts.get(code)!.count) }));
  const speed = reps.map((r) => t(lang, "digest.speed", { name: r.name, hours: r.medianHours.toFixed(1), moves: r.moves }));
  const rows = worst.slice(0, LISTED).map((a, i) => ({ text: items[i]!, actions: rowActions(ctx, a, lang) }));
  const forecastText = playbook.stages.some((s) => s.forecast && s.teams.includes(teamKey))
    ? forecastLines(playbook, forecast(playbook, data.amounts, data.weekMoves), lang).map((line) => `${t(lang, "figures.forecast-title")}: ${line}`)
    : [];
  const sections: [string, string[]][] = [
    [t(lang, "funnel.conversion-title", { days: DIGEST_CONVERSION_DAYS }), facts.conversion],
    [t(lang, "funnel.time-title", { days: TIME_IN_STAGE_DAYS }), facts.times],
    ...(speed.length ? [[t(lang, "digest.speed-title"), speed] as [string, string[]]] : []),
  ];
  const blocks: Block[] = [
    { kind: "heading", text: title },
    { kind: "text", text: total ? t(lang, "digest.stalled", { count: total }) : t(lang, "digest.stalled-none") },
    ...(rows.length ? [{ kind: "rows" as const, rows, more: total - rows.length }] : []),
    { kind: "divider" },
    ...(countLines.length ? [{ kind: "fields" as const, fields: countLines }] : []),
    ...sections.filter(([, lines]) => lines.length).flatMap(([heading, lines]): Block[] => [{ kind: "text", text: `*${heading}*` }, { kind: "list", items: lines }]),
    ...forecastText.map((text): Block => ({ kind: "text", text })),
    { kind: "text", text: t(lang, "digest.more", { team: teamKey }) },
    ...gaps.map((text): Block => ({ kind: "text", text })),
  ];
  const text = [
    title,
    total ? t(lang, "digest.stalled", { count: total }) : t(lang, "digest.stalled-none"),
    ...items.map((i) => `  ${i}`),
    ...(total > items.length ? [`  … +${total - items.length}`] : []),
    `${t(lang, "digest.counts")}: ${countLines.map((c) => `${c.label} ${c.value}`).join(" · ")}`,
    ...sections.filter(([, lines]) => lines.length).flatMap(([heading, lines]) => [`${heading}:`, ...lines.map((l) => `  ${l}`)]),
    ...forecastText,
    ...gaps,
  ].join("\n");
  return { text, ephemeral: false, blocks };
}

function stalledLine(ctx: ServiceContext, calendar: BusinessCalendar, a: StalledAccount, now: Date, locale: Locale): string {
  const { playbook } = ctx;
  const stage = stageOf(playbook, a.stage);
  const sla = stage?.sla ?? null;
  const days = sla
    ? t(locale, "digest.days", { stage: stageName(playbook, a.stage, locale), days: dayCount(elapsedDays(calendar, a.stageEnteredAt, now, sla.unit), sla.unit, locale), sla: locale === "zh-CN" ? dayCount(sla.days, sla.unit, locale) : sla.days })
    : t(locale, "digest.idle", { stage: stageName(playbook, a.stage, locale), days: Math.floor((now.getTime() - a.lastActivityAt.getTime()) / DAY_MS), limit: stage?.idleDays ?? 0 });
  const next = a.nextStepAt ? t(locale, "digest.next", { day: localDay(a.nextStepAt, calendar.timezone), note: a.nextStepNote ?? "" }).trimEnd() : "";
  return t(locale, "digest.item", {
    id: a.id, company: a.company, stage: stageName(playbook, a.stage, locale), owner: a.ownerName ?? "—", days,
    amount: a.amount ? ` · ${money(a.amount, a.currency)}` : "",
    last: localDay(a.lastActivityAt, calendar.timezone), next,
  });
}

/**
 * What a manager can do from a stalled row: the stage's way forward (advance, accept, qualify … as the
 * playbook says; a form opens where the move needs one), reassign it (a member picker), nudge its owner
 * (a DM; only when it has one), set its next step, or open it. The permission table decides when someone clicks.
 */
function rowActions(ctx: ServiceContext, a: StalledAccount, locale: Locale): Button[] {
  const next = forwardMove(ctx.playbook, a.stage);
  return [
    ...(next ? [{ label: `→ ${stageName(ctx.playbook, next.to, locale)}`, command: commandOfMove(next.verb, a.id), style: "primary" as const }] : []),
    { ...nextStepButton(a, locale), label: t(locale, "digest.action-next") },
    { label: t(locale, "digest.action-reassign"), command: `account reassign #${a.id}` },
    ...(a.ownerName ? [{ label: t(locale, "digest.action-nudge"), command: `account nudge #${a.id}` }] : []),
    { label: t(locale, "digest.action-show"), command: `lead show #${a.id}` },
  ];
}

/** For the team that accepts assigned leads: each member's median time from assignment to acceptance (none for another team). */
async function speedToLead(ctx: ServiceContext, teamKey: string, now: Date): Promise<{ name: string; medianHours: number; moves: number }[]> {
  const assigned = ctx.playbook.stages.find((s) => s.assignTo === teamKey);
  const accept = assigned ? ctx.playbook.transitions.find((x) => x.from === assigned.code && x.verb === "accept") : undefined;
  if (!assigned || !accept) return [];
  return medianMoveTimeByActor(ctx.db, assigned.code, accept.to, new Date(now.getTime() - 30 * DAY_MS));
}
