import type { Playbook } from "../../src/domain/playbook.js";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";
import type { ServiceContext } from "../../src/services/context.js";
import { migrate, openDatabase, type Database, type DatabaseOptions } from "../../src/store/database.js";
import { upsertMember, type MemberRecord } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { teamCalendars } from "../../src/wiring.js";

/** A clock tests move by hand. */
export class TestClock {
  constructor(private now: Date = new Date("2026-11-23T02:00:00Z")) {}
  readonly read = (): Date => new Date(this.now);
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
  set(at: Date): void {
    this.now = at;
  }
}

/** A migrated database with the playbook's teams and a handful of members, and a context over it. */
export interface Fixture {
  readonly db: Database;
  readonly ctx: ServiceContext;
  readonly clock: TestClock;
  readonly members: Record<string, MemberRecord>;
  close(): Promise<void>;
}

const PEOPLE = [
  ["mia", "Mia", "marketing", "manager", "zh-CN"],
  ["mark", "Mark", "marketing", "rep", "en"],
  ["sam", "Sam", "sales", "manager", "en"],
  ["alice", "Alice", "sales", "rep", "en"],
  ["bob", "Bob", "sales", "rep", "en"],
  ["chen", "陈晨", "sales", "rep", "zh-CN"],
  ["cathy", "Cathy", "cs", "manager", "zh-CN"],
  ["carl", "Carl", "cs", "rep", "en"],
  ["tom", "Tom", "support", "rep", "en"],
  ["admin", "Ada", "marketing", "admin", "en"],
] as const;

/** Opens a fresh database at `url`, applies the migrations and adds teams and members for `playbook`. */
export async function openFixture(url: string, playbook: Playbook = PlaybookSchema.parse(emailSaas), options: DatabaseOptions = {}): Promise<Fixture> {
  const db = await openDatabase(url, options);
  await migrate(db, url);
  const clock = new TestClock();
  for (const team of playbook.teams) await upsertTeam(db, { key: team.key, name: team.name.en, locale: team.key === "marketing" ? "zh-CN" : "en" });
  const members: Record<string, MemberRecord> = {};
  const teamKeys = playbook.teams.map((t) => t.key);
  for (const [handle, name, team, role, locale] of PEOPLE) {
    // Presets name their teams differently; map the four roles of the default onto whatever teams exist.
    const index = ["marketing", "sales", "cs", "support"].indexOf(team);
    const teamKey = teamKeys.includes(team) ? team : teamKeys[Math.min(index, teamKeys.length - 1)]!;
    members[handle] = await upsertMember(db, { handle, displayName: name, teamKey, role, locale });
  }
  // The built-in calendars (mainland China, Asia/Shanghai), whatever FUNNEL_CALENDAR or TZ the test process has.
  const calendars = teamCalendars({ FUNNEL_CALENDAR: undefined, TZ: undefined }, clock.read());
  await calendars.refresh({ db }, clock.read());
  const ctx: ServiceContext = { db, playbook, get calendar() { return calendars.default; }, calendars, clock: clock.read };
  return { db, ctx, clock, members, close: () => db.close() };
}

/** Row counts of every table, to prove that a refused request wrote nothing. */
export async function tableCounts(db: Database): Promise<Record<string, number>> {
  const p = db.prisma;
  return {
    accounts: await p.account.count(), events: await p.stageEvent.count(), bant: await p.bantAnswer.count(),
    checklist: await p.checklistConfirmation.count(), tasks: await p.task.count(), outbox: await p.outboxMessage.count(),
    deliveries: await p.processedDelivery.count(), members: await p.member.count(), teams: await p.team.count(),
  };
}
