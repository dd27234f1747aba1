import type { Actor } from "../domain/account.js";
import { mainPath, type Action } from "../domain/funnel.js";
import { stageOf, type Transition } from "../domain/playbook.js";
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

/**
 * Fills an empty database with the playbook's teams, a dozen members and forty accounts walked along the
 * main path through the real services, with histories spread over the past weeks so that some accounts
 * are stalled. A database that already has members is left alone.
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
  for (const [i, company] of COMPANIES.entries()) {
    // Spread accounts over the path; older ones went further, and every few sit far past their SLA.
    const steps = i % (path.length + 1);
    clock = now - (steps * 6 + (i % 4 === 0 ? 25 : 2)) * 86_400_000;
    const domain = `${company.toLowerCase().replace(/[^a-z0-9]+/g, "")}.example`;
    const created = await createLead(seedCtx, admin, {
      company, email: `hello@${domain}`, domain, source: ["website", "webinar", "referral", "ads"][i % 4]!, amount: 20_000 + (i % 7) * 15_000, region: null, industry: null,
    }, { platform: "system" });
    if (!created.ok) continue;
    for (const move of path.slice(0, steps)) {
      clock += (3 + (i % 5)) * 86_400_000;
      const done = await step(seedCtx, members, created.value.accountId, move);
      if (!done) break;
    }
  }
  return { seeded: true, teams: teams.length, members: members.length, accounts: COMPANIES.length };
}

async function step(ctx: ServiceContext, members: readonly MemberRecord[], accountId: number, move: Transition): Promise<boolean> {
  const action: Action = move.verb === "qualify"
    ? { kind: "move", verb: "qualify", answers: { budget: "80000", currency: "CNY", confirmed: "yes", dm: "Li Wei", role: "CTO", engaged: "yes", need: "Transactional email at scale", date: "2099-12-31" } }
    : { kind: "move", verb: move.verb, confirm: "all" };
  const stage = stageOf(ctx.playbook, move.from)!;
  // The owner acts when they may; otherwise a manager of the stage's team, as happens in real hand-overs.
  const ownerId = (await findAccount(ctx.db, accountId))?.account.ownerId;
  const owner = members.find((m) => m.id === ownerId && stage.teams.includes(m.teamKey));
  const actor = owner ?? members.find((m) => m.role === "manager" && m.teamKey === stage.teams[0]) ?? members[0]!;
  return (await actOnAccount(ctx, actor, accountId, action, { platform: "system" })).ok;
}
