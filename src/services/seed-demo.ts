import type { Actor } from "../domain/account.js";
import { mainPath, type Action } from "../domain/funnel.js";
import { stageOf, type Transition } from "../domain/playbook.js";
import { localDay } from "../domain/calendar.js";
import { findAccount } from "../store/accounts.js";
import { listMembers, upsertMember, type MemberRecord } from "../store/members.js";
import { upsertTeam } from "../store/teams.js";
import { actOnAccount } from "./act-on-account.js";
import type { ServiceContext } from "./context.js";
import { createLead } from "./create-lead.js";

const MEMBERS: readonly { handle: string; name: string; team: number; role: Actor["role"]; locale: Actor["locale"] }[] = [
  { handle: "admin", name: "Ada Admin", team: 0, role: "admin", locale: "en" },
  { handle: "mia", name: "Mia Ma 马米娅", team: 0, role: "manager", locale: "zh-CN" },
  { handle: "mark", name: "Mark Li", team: 0, role: "rep", locale: "en" },
  { handle: "sam", name: "Sam Sun 孙山", team: 1, role: "manager", locale: "en" },
  { handle: "alice", name: "Alice Wang", team: 1, role: "rep", locale: "en" },
  { handle: "bob", name: "Bob Zhao", team: 1, role: "rep", locale: "en" },
  { handle: "chen", name: "陈晨", team: 1, role: "rep", locale: "zh-CN" },
  { handle: "cathy", name: "Cathy Xu 徐凯", team: 2, role: "manager", locale: "zh-CN" },
  { handle: "carl", name: "Carl Hu", team: 2, role: "rep", locale: "en" },
  { handle: "fang", name: "王芳", team: 2, role: "rep", locale: "zh-CN" },
  { handle: "tom", name: "Tom Tang", team: 3, role: "manager", locale: "en" },
  { handle: "tina", name: "Tina Liu", team: 3, role: "rep", locale: "zh-CN" },
];

const COMPANIES = [
  "Acme Robotics", "Beijing Lanting Tech", "Cathay Mail", "Dragonfly Commerce", "Everbright Logistics", "Feiyu Games",
  "Greenleaf Foods", "Hangzhou Yunqi", "Inkstone Education", "Jadeport Travel", "Kunlun Fintech", "Lotus Health",
  "Meridian Retail", "Nanjing Silkroad", "Orchid Cosmetics", "Pearl River Media", "Qilin Security", "Redwood SaaS",
  "Shenzhen Brightway", "Tianfu Insurance", "Unicorn Apparel", "Vastsea Shipping", "Wuxi Precision", "Xiamen Harbor",
  "Yangtze Analytics", "Zenith Furniture", "Amber Pets", "Bamboo Books", "Cloudpeak Hotels", "Dunhuang Art",
  "Emerald Auto", "Fortune Realty", "Golden Gate Imports", "Harmony Music", "Ivory Dental", "Jasmine Tea Co",
  "Kingfisher Sports", "Lantern Events", "Maple Clinics", "Nova Energy",
];

/** How many accounts the demo seeds. */
export const DEMO_ACCOUNTS = COMPANIES.length;

/** A side move off the main path, by its verb; the playbook names where it leads. */
type Side = "return" | "disqualify" | "lose" | "churn" | "archive";

/**
 * Where one demo account ends up: `steps` moves along the main path, then any side moves, and `dwell`
 * days in its last stage (past the SLA: stalled). `next`: a scheduled next step, `days` from now.
 */
interface Ending {
  readonly steps: number;
  readonly side?: readonly Side[];
  readonly dwell: number;
  readonly next?: { readonly days: number; readonly note: string };
}

// One row per company, so every stage of the default funnel has accounts, some of them stalled (a
// dwell over the stage's SLA), a few held by a next step, and reps have MQL cards waiting for them.
const ENDINGS: readonly Ending[] = [
  { steps: 0, dwell: 2 }, { steps: 0, dwell: 20 }, { steps: 0, dwell: 1, side: ["disqualify"] }, { steps: 0, dwell: 5 },
  { steps: 1, dwell: 0.1 }, { steps: 1, dwell: 0.2 }, { steps: 1, dwell: 4 }, { steps: 1, dwell: 0.3 },
  { steps: 1, dwell: 3, side: ["return"] }, { steps: 1, dwell: 6, side: ["disqualify"] },
  { steps: 2, dwell: 1 }, { steps: 2, dwell: 12 }, { steps: 2, dwell: 2 }, { steps: 2, dwell: 9, next: { days: 3, note: "Demo call with their CTO" } },
  { steps: 2, dwell: 8, side: ["return"] },
  { steps: 3, dwell: 10 }, { steps: 3, dwell: 45 }, { steps: 3, dwell: 40, next: { days: 5, note: "Send the revised quote" } },
  { steps: 3, dwell: 12, side: ["lose"] },
  { steps: 4, dwell: 6 }, { steps: 4, dwell: 21 }, { steps: 4, dwell: 30, side: ["lose", "archive"] },
  { steps: 5, dwell: 1 }, { steps: 5, dwell: 9 },
  { steps: 6, dwell: 4 }, { steps: 6, dwell: 20 }, { steps: 6, dwell: 25, next: { days: 2, note: "Kick-off with their ops team" } },
  { steps: 7, dwell: 3 }, { steps: 7, dwell: 11 },
  { steps: 8, dwell: 5 }, { steps: 8, dwell: 19 }, { steps: 8, dwell: 15, side: ["churn"] },
  { steps: 9, dwell: 10 }, { steps: 9, dwell: 35 },
  { steps: 10, dwell: 12 }, { steps: 10, dwell: 40 }, { steps: 10, dwell: 100 },
  { steps: 10, dwell: 20, side: ["churn"] }, { steps: 10, dwell: 60, side: ["churn", "archive"] }, { steps: 1, dwell: 2 },
];

const DAY = 86_400_000;

/**
 * Fills an empty database with the playbook's teams, a dozen members and forty accounts walked through
 * the real services (so every history, message and card is one the bot itself made): along the main
 * path, some off it (returned, unqualified, lost, churned, archived), spread over the past months so that
 * some are stalled and some wait on a next step. A database that already has members is left alone.
 */
export async function seedDemo(ctx: ServiceContext): Promise<{ seeded: boolean; teams: number; members: number; accounts: number }> {
  if ((await listMembers(ctx.db)).length > 0) return { seeded: false, teams: 0, members: 0, accounts: 0 };
  const teams = ctx.playbook.teams;
  for (const [i, team] of teams.entries()) {
    await upsertTeam(ctx.db, { key: team.key, name: team.name.en, locale: i % 2 === 0 ? "zh-CN" : "en", slackChannel: `#${team.key}` });
  }
  const members: MemberRecord[] = [];
  for (const m of MEMBERS) {
    const team = teams[Math.min(m.team, teams.length - 1)]!;
    members.push(await upsertMember(ctx.db, { handle: m.handle, displayName: m.name, teamKey: team.key, role: m.role, locale: m.locale }));
  }
  const path = mainPath(ctx.playbook);
  const now = ctx.clock().getTime();
  let clock = now;
  const seedCtx: ServiceContext = { ...ctx, clock: () => new Date(clock) };
  const admin = members[0]!;
  let accounts = 0;
  for (const [i, company] of COMPANIES.entries()) {
    const ending = ENDINGS[i % ENDINGS.length]!;
    const steps = Math.min(ending.steps, path.length);
    const moves = steps + (ending.side?.length ?? 0);
    const gap = 2 + (i % 4);
    // Each move `gap` days after the one before, the last one `dwell` days ago.
    clock = now - (moves * gap + ending.dwell) * DAY;
    const domain = `${company.toLowerCase().replace(/[^a-z0-9]+/g, "")}.example`;
    const created = await createLead(seedCtx, admin, {
      company, email: `hello@${domain}`, domain, source: ["website", "webinar", "referral", "ads"][i % 4]!, amount: 20_000 + (i % 7) * 15_000, region: null, industry: null,
    }, { platform: "system" });
    if (!created.ok) continue;
    accounts++;
    const id = created.value.accountId;
    const plan: Action[] = [...path.slice(0, steps).map(mainAction), ...(ending.side ?? []).map(sideAction)];
    for (const action of plan) {
      clock += gap * DAY;
      if (!(await step(seedCtx, members, id, action))) break;
    }
    if (ending.next) {
      clock = now - Math.min(ending.dwell, 1) * DAY;
      const at = new Date(now + ending.next.days * DAY);
      await step(seedCtx, members, id, { kind: "next-step", day: localDay(at, ctx.calendar.timezone), at, note: ending.next.note });
    }
  }
  return { seeded: true, teams: teams.length, members: members.length, accounts };
}

function mainAction(move: Transition): Action {
  return move.verb === "qualify"
    ? { kind: "move", verb: "qualify", answers: { budget: "80000", currency: "CNY", confirmed: "yes", dm: "Li Wei", role: "CTO", engaged: "yes", need: "Transactional email at scale", date: "2099-12-31" } }
    : { kind: "move", verb: move.verb, confirm: "all" };
}

// A reason from the playbook's list (by number) with a note, as a rep would type it.
const REASONS: Record<Side, string | null> = {
  return: "1 No answer after three calls", disqualify: "1", lose: "1 Went with a cheaper provider",
  churn: "2 Bounce rate too high after go-live", archive: null,
};

function sideAction(verb: Side): Action {
  return { kind: "move", verb, reason: REASONS[verb] };
}

async function step(ctx: ServiceContext, members: readonly MemberRecord[], accountId: number, action: Action): Promise<boolean> {
  const found = await findAccount(ctx.db, accountId);
  if (!found) return false;
  const stage = stageOf(ctx.playbook, found.account.stage)!;
  // The owner acts when they may; otherwise a manager of the stage's team, as happens in real hand-overs.
  const owner = members.find((m) => m.id === found.account.ownerId && stage.teams.includes(m.teamKey));
  const actor = owner ?? members.find((m) => m.role === "manager" && m.teamKey === stage.teams[0]) ?? members[0]!;
  return (await actOnAccount(ctx, actor, accountId, action, { platform: "system" })).ok;
}
