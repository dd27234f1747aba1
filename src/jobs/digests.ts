import { isBusinessDay, localDay, localTime } from "../domain/calendar.js";
import type { Playbook } from "../domain/playbook.js";
import type { ServiceContext } from "../services/context.js";
import { buildDigest, DIGEST_CONVERSION_DAYS } from "../services/digest.js";
import { loadFunnelData, type FunnelData } from "../services/funnel-summary.js";
import { claimDigest, digestRunsOn, markDigestSent, type DigestRunRecord } from "../store/digest-runs.js";
import type { Reply } from "../commands/reply.js";
import { chartBlock, chartData, teamChartFigures } from "../services/funnel-chart.js";
import { TREND_WEEKS, type FiguresData } from "../services/manager-figures.js";
import { findTeam } from "../store/teams.js";

/** The local time of day digests go out when none is configured (DESIGN.md: 09:30 Asia/Shanghai). */
export const DEFAULT_DIGEST_TIME = "09:30";

/** `HH:mm`, 24-hour, as FUNNEL_DIGEST_TIME is written. */
export const DIGEST_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * A claim not marked sent within this long is presumed dead and may be taken over. Building a digest
 * takes well under a second; a minute leaves room for a slow database without ever sending twice (the
 * marking is conditional on still holding the claim).
 */
const LEASE_MS = 60_000;

/** What a digest pass needs: the instant it runs at, who runs it, and the local time digests are due. */
export interface DigestPassOptions {
  readonly now: Date;
  /** Unique per process; recorded on the claim. */
  readonly workerId: string;
  /** `HH:mm` in each team's timezone; default 09:30. */
  readonly digestTime?: string;
}

/** Where one team's digest stood in a pass: its local day, and why nothing was due (a day off, before its digest time). */
export interface TeamDigestState {
  readonly day: string;
  readonly skipped: "day-off" | "too-early" | null;
}

/** What a digest pass did: the teams whose digest it queued, and each owning team's local day. */
export interface DigestPass {
  readonly sent: string[];
  readonly teams: Readonly<Record<string, TeamDigestState>>;
}

/** The teams that get a digest: every team that some stage names. */
export function digestTeams(playbook: Playbook): string[] {
  const named = new Set(playbook.stages.flatMap((s) => s.teams));
  return playbook.teams.map((t) => t.key).filter((key) => named.has(key));
}

/**
 * Queues today's digest of every owning team that has not had one, if today is a business day in the
 * team's calendar and its digest time has come in the team's timezone. Any number of workers may run this
 * at once, as often as they like: each (team, local day) is claimed in the database, so exactly one digest
 * goes out, and a pass after downtime later the same business day sends the digests that were missed.
 */
export async function runDigests(ctx: ServiceContext, options: DigestPassOptions): Promise<DigestPass> {
  const time = options.digestTime ?? DEFAULT_DIGEST_TIME;
  if (!DIGEST_TIME.test(time)) throw new RangeError(`digest time must be HH:mm, not ${JSON.stringify(time)}`);
  const { now } = options;
  const teams: Record<string, TeamDigestState> = {};
  const due: string[] = [];
  for (const teamKey of digestTeams(ctx.playbook)) {
    const cal = ctx.calendars.of(teamKey);
    const day = localDay(now, cal.timezone);
    // `YYYY-MM-DD HH:mm` strings of one day compare as times do.
    const skipped = !isBusinessDay(cal, day) ? "day-off" : localTime(now, cal.timezone).slice(11) < time ? "too-early" : null;
    teams[teamKey] = { day, skipped };
    if (skipped === null) due.push(teamKey);
  }
  // One read per local day spares the teams already done a failing insert on every pass.
  const runs = new Map<string, DigestRunRecord>();
  for (const day of new Set(due.map((key) => teams[key]!.day))) {
    for (const r of await digestRunsOn(ctx.db, day)) runs.set(`${r.teamKey} ${day}`, r);
  }
  const sent: string[] = [];
  // The funnel figures every team's digest shares, loaded once per pass and only if some digest is due.
  let data: Promise<FunnelData> | null = null;
  const shared = () => (data ??= loadFunnelData({ ...ctx, clock: () => now }, DIGEST_CONVERSION_DAYS));
  // Likewise what every team's chart is drawn from (eight weeks of figures, the channels): most of a chart's time.
  let figures: Promise<FiguresData> | null = null;
  const sharedFigures = () => (figures ??= chartData({ ...ctx, clock: () => now }));
  // The due teams' digests are claimed and built at once (their own statements on connections of their own on
  // PostgreSQL, beside the shared data), and queued one after the other in the teams' order.
  let turn: Promise<unknown> = Promise.resolve();
  const outcomes: [string, Promise<DigestOutcome>][] = [];
  for (const teamKey of due) {
    const day = teams[teamKey]!.day;
    const run = runs.get(`${teamKey} ${day}`);
    if (run && (run.sentAt !== null || now.getTime() - run.claimedAt.getTime() <= LEASE_MS)) continue;
    const outcome = sendDigest(ctx, { teamKey, day, now, workerId: options.workerId, data: shared, figures: sharedFigures, after: turn });
    outcomes.push([teamKey, outcome]);
    turn = outcome.catch(() => undefined);
  }
  // Every team's digest is given its chance before a failure of one is reported.
  const settled = await Promise.allSettled(outcomes.map(([, outcome]) => outcome));
  const failed = settled.find((x) => x.status === "rejected");
  if (failed) throw failed.reason;
  settled.forEach((x, i) => {
    if (x.status === "fulfilled" && x.value === "sent") sent.push(outcomes[i]![0]);
  });
  return { sent, teams };
}

/** The team's chart as a reply of one image, in the team's language; null when drawing it failed (the digest goes anyway). */
async function digestChart(ctx: ServiceContext, teamKey: string, data?: () => Promise<FiguresData>): Promise<Reply | null> {
  try {
    const locale = (await findTeam(ctx.db, teamKey))?.locale === "zh-CN" ? "zh-CN" : "en";
    const image = await chartBlock(ctx, await teamChartFigures(ctx, teamKey, TREND_WEEKS, data ? await data() : undefined), locale);
    return { text: image.alt, ephemeral: false, blocks: [image] };
  } catch {
    return null;
  }
}

/** How sending one team's digest ended. */
export type DigestOutcome = "sent" | "taken";

/**
 * Claims the digest of one team for `day` and, if this worker won, builds it as of `now` and queues it to
 * the team's channels in the same transaction that marks it sent. "taken": another worker has it.
 */
export async function sendDigest(
  ctx: ServiceContext,
  input: {
    teamKey: string; day: string; now: Date; workerId: string; data?: () => Promise<FunnelData>; figures?: () => Promise<FiguresData>;
    /** Settles when the digest before this one has been queued (or failed): digests built at once are queued in order. */
    after?: Promise<unknown>;
  },
): Promise<DigestOutcome> {
  const { teamKey, day, now, workerId } = input;
  if (!(await claimDigest(ctx.db, teamKey, day, workerId, now, { leaseMs: LEASE_MS }))) return "taken";
  // The digest describes the pass's instant, whatever the context's clock says by the time it is built.
  const at = { ...ctx, clock: () => now };
  // The shared data may still be loading (the first team's): the team's own statements run beside it.
  const reply = await buildDigest(at, teamKey, input.data ? { data: input.data() } : {});
  // The team's chart goes as a message of its own, in the same transaction: one picture per team per day,
  // retried on its own, so a failed upload never sends the digest's text twice.
  const chart = await digestChart(at, teamKey, input.figures);
  const to = { kind: "team" as const, teamKey };
  await input.after;
  const marked = await markDigestSent(ctx.db, teamKey, day, now, { workerId, messages: [{ to, reply }, ...(chart ? [{ to, reply: chart }] : [])] });
  return marked ? "sent" : "taken";
}
