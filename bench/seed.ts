/**
 * Fills a fresh database with a realistic funnel for the digest benchmark: accounts spread over the default
 * playbook's stages (most in the early ones), entered over the last 18 months, ~10% with a next step, owned
 * by 40 members in the playbook's 4 teams, and their stage events (transitions carry `secondsInStage`).
 *
 * The data comes from a seeded generator, so SQLite and PostgreSQL get the same rows. It is written with
 * raw multi-row INSERTs (better-sqlite3) or `unnest` arrays (pg), indexes dropped during the load and
 * rebuilt after: this is bench code, it may bypass the store. The schema itself comes from the product's
 * own migrations. A seeded SQLite file is cached under bench/.cache/, keyed by size, seed version and the
 * latest migration.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { loadPlaybook } from "../src/config/playbook.js";
import { migrate, migrationNames, openDatabase } from "../src/store/database.js";
import { BENCH_NOW } from "./now.js";

/** Bump when the generated data changes, so cached files are rebuilt. */
export const SEED_VERSION = 1;

/** How much data to seed. */
export interface SeedSize {
  readonly accounts: number;
  readonly events: number;
}

const DAY_MS = 86_400_000;
const NOW = BENCH_NOW.getTime();
const HISTORY_MS = 548 * DAY_MS; // 18 months
const cacheDir = path.join(path.dirname(fileURLToPath(import.meta.url)), ".cache");

// The default playbook's stages, and how today's accounts are spread over them (weights sum to 100).
const STAGES = ["LEAD", "MQL", "SAL", "SQL", "PQL", "P0", "P1", "P2", "P3", "P4", "P5", "CHURNED", "RETURNED", "UNQUALIFIED", "LOST", "ARCHIVED"] as const;
type StageCode = (typeof STAGES)[number];
const MIX: Record<StageCode, number> = {
  LEAD: 35, MQL: 3, SAL: 4, SQL: 6, PQL: 2, P0: 1, P1: 1.5, P2: 1, P3: 1, P4: 1.5, P5: 6, CHURNED: 3, RETURNED: 8, UNQUALIFIED: 15, LOST: 7, ARCHIVED: 5,
};
/** Mean days an account spends in a stage before leaving it (MQL: hours, speed to lead). */
const DWELL_DAYS: Record<StageCode, number> = {
  LEAD: 12, MQL: 0.4, SAL: 4, SQL: 25, PQL: 12, P0: 3, P1: 12, P2: 6, P3: 12, P4: 25, P5: 240, CHURNED: 40, RETURNED: 60, UNQUALIFIED: 150, LOST: 90, ARCHIVED: 0,
};
const TEAMS = ["marketing", "sales", "cs", "support"] as const;
type TeamKey = (typeof TEAMS)[number];
const MEMBERS_PER_TEAM = 10;
const KINDS = ["created", "transition", "next-step", "reassign", "bant-failed", "renewal", "expansion"] as const;
const PLATFORMS = ["slack", "wecom", "cli", "webhook"] as const;
const REASONS: Partial<Record<StageCode, readonly string[]>> = {
  RETURNED: ["no-contact", "not-ready", "wrong-person", "info-incomplete"],
  UNQUALIFIED: ["not-icp", "competitor", "student-personal", "spam", "duplicate"],
  LOST: ["price", "competitor", "no-decision", "product-gap"],
  CHURNED: ["price", "deliverability", "moved-to-competitor", "no-usage"],
};
const REASON_LIST = [...new Set(Object.values(REASONS).flat())];
const NOTES = ["kick-off call", "send the proposal", "demo for the IT team", "contract review", "QBR", "renewal talk", "follow up on pricing"];
const WORDS_A = ["Acme", "Lanting", "Cathay", "Dragonfly", "Everbright", "Feiyu", "Greenleaf", "Yunqi", "Inkstone", "Jadeport", "Kunlun", "Lotus", "Meridian", "Silkroad", "Orchid", "Pearl River", "Qilin", "Redwood", "Brightway", "Tianfu"];
const WORDS_B = ["Robotics", "Tech", "Mail", "Commerce", "Logistics", "Games", "Foods", "Education", "Travel", "Fintech", "Health", "Retail", "Media", "Security", "SaaS", "Insurance", "Apparel", "Shipping", "Analytics", "Hotels"];
const PEOPLE = ["Alice Wang", "Bob Zhao", "陈晨", "Carl Hu", "王芳", "Tina Liu", "Mark Li", "Mia Ma 马米娅", "Sam Sun 孙山", "Cathy Xu 徐凯", "Tom Tang", "李伟", "Dana Wu", "Evan Zhou", "张敏"];
const SOURCES = ["website", "webinar", "referral", "ads", "event", "partner", null];
const REGIONS = ["north", "east", "south", "west", null];
const INDUSTRIES = ["retail", "fintech", "education", "gaming", "travel", "health", null];

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same data on every run and provider. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generated funnel, column by column (typed arrays keep a million events small). */
interface Dataset {
  readonly accounts: number;
  readonly stage: Uint8Array;
  readonly createdAt: Float64Array;
  readonly enteredAt: Float64Array;
  readonly lastActivityAt: Float64Array;
  /** NaN: no next step. */
  readonly nextStepAt: Float64Array;
  /** 0: no owner. */
  readonly owner: Int32Array;
  readonly amount: Int32Array;
  readonly version: Int32Array;
  readonly events: number;
  /** Event order by time, so event ids grow with `at` as they do in production. */
  readonly order: Uint32Array;
  readonly evAccount: Int32Array;
  readonly evKind: Uint8Array;
  /** -1: null. */
  readonly evFrom: Int8Array;
  readonly evTo: Int8Array;
  readonly evActor: Int32Array;
  readonly evAt: Float64Array;
  readonly evSeconds: Int32Array;
  readonly evAmount: Int32Array;
  readonly evReason: Int8Array;
  readonly evPlatform: Uint8Array;
}

const stageIndex = (code: StageCode) => STAGES.indexOf(code);

function ownerTeam(stage: StageCode, previous: StageCode | undefined, rnd: () => number): TeamKey {
  switch (stage) {
    case "LEAD": case "RETURNED": case "UNQUALIFIED": return "marketing";
    case "MQL": case "SAL": case "SQL": case "PQL": case "P0": case "LOST": return "sales";
    case "P1": case "P2": return rnd() < 0.3 ? "support" : "cs";
    case "ARCHIVED": return previous ? ownerTeam(previous, undefined, rnd) : "marketing";
    default: return "cs";
  }
}

/** The stages an account went through to reach `stage`, from LEAD, along the playbook's transitions. */
function pathTo(stage: StageCode, rnd: () => number): StageCode[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const sales: StageCode[] = ["LEAD", "MQL", "SAL", "SQL"];
  switch (stage) {
    case "LEAD": return ["LEAD"];
    case "MQL": return ["LEAD", "MQL"];
    case "SAL": return ["LEAD", "MQL", "SAL"];
    case "SQL": return sales;
    case "PQL": return [...sales, "PQL"];
    case "P0": case "P1": case "P2": case "P3": case "P4": case "P5": {
      const onboarding = (["P0", "P1", "P2", "P3", "P4", "P5"] as const).slice(0, Number(stage.slice(1)) + 1);
      return [...sales, ...(rnd() < 0.5 ? ["PQL" as const] : []), ...onboarding];
    }
    case "CHURNED": return [...pathTo(pick(["P0", "P1", "P2", "P3", "P3", "P4", "P4", "P5", "P5", "P5"] as const), rnd), "CHURNED"];
    case "RETURNED": return [...pathTo(pick(["MQL", "MQL", "SAL"] as const), rnd), "RETURNED"];
    case "UNQUALIFIED": return [...pathTo(pick(["LEAD", "LEAD", "LEAD", "MQL", "SAL", "SQL"] as const), rnd), "UNQUALIFIED"];
    case "LOST": return [...pathTo(pick(["SQL", "SQL", "PQL"] as const), rnd), "LOST"];
    case "ARCHIVED": return [...pathTo(pick(["LOST", "LOST", "CHURNED"] as const), rnd), "ARCHIVED"];
  }
}

/** Member ids: team t (0–3) has ids t*10+1 … t*10+10; the first of each team is its manager. */
function memberOf(team: TeamKey, account: number): number {
  return TEAMS.indexOf(team) * MEMBERS_PER_TEAM + 2 + ((account * 7 + TEAMS.indexOf(team)) % (MEMBERS_PER_TEAM - 1));
}

function generate(size: SeedSize): Dataset {
  const playbook = loadPlaybook(undefined);
  const allowed = new Set(playbook.transitions.map((t) => `${t.from}>${t.to}`));
  for (const code of STAGES) if (!playbook.stages.some((s) => s.code === code)) throw new Error(`the default playbook has no stage ${code}: update bench/seed.ts`);
  for (const team of TEAMS) if (!playbook.teams.some((t) => t.key === team)) throw new Error(`the default playbook has no team ${team}: update bench/seed.ts`);

  const rnd = prng(20261125);
  const n = size.accounts;
  // Creation times skewed to the recent months (a growing business), sorted so ids follow creation order.
  const createdAt = Float64Array.from({ length: n }, () => NOW - HISTORY_MS * rnd() ** 1.4).sort();
  const stage = new Uint8Array(n);
  const enteredAt = new Float64Array(n);
  const lastActivityAt = new Float64Array(n);
  const nextStepAt = new Float64Array(n).fill(Number.NaN);
  const owner = new Int32Array(n);
  const amount = new Int32Array(n);
  const version = new Int32Array(n);
  const paths: { stages: StageCode[]; at: number[] }[] = [];
  const weights = Object.entries(MIX) as [StageCode, number][];
  const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0);

  let pathEvents = 0;
  for (let i = 0; i < n; i++) {
    let r = rnd() * totalWeight;
    const final = weights.find(([, w]) => (r -= w) < 0)?.[0] ?? "LEAD";
    const stages = pathTo(final, rnd);
    for (let j = 1; j < stages.length; j++) {
      if (!allowed.has(`${stages[j - 1]}>${stages[j]}`)) throw new Error(`bench/seed.ts walks ${stages[j - 1]} → ${stages[j]}, which the default playbook does not allow`);
    }
    // Time in each stage left: exponential around the stage's typical dwell, squeezed into the account's life.
    const dwell = stages.slice(0, -1).map((s) => -Math.log(1 - rnd()) * DWELL_DAYS[s] * DAY_MS);
    const life = NOW - createdAt[i]! - 60_000;
    const spent = dwell.reduce((sum, d) => sum + d, 0);
    const squeeze = spent > life ? (life * (0.3 + 0.65 * rnd())) / spent : 1;
    const at = [Math.round(createdAt[i]!)];
    for (const d of dwell) at.push(Math.round(at[at.length - 1]! + d * squeeze));
    const entered = at[at.length - 1]!;
    stage[i] = stageIndex(final);
    createdAt[i] = at[0]!;
    enteredAt[i] = entered;
    lastActivityAt[i] = rnd() < 0.35 ? entered : Math.round(entered + rnd() * (NOW - entered));
    if (rnd() < 0.1) {
      // A next step: mostly ahead (holds the account out of the digest), some already past.
      nextStepAt[i] = rnd() < 0.6 ? Math.round(NOW + (0.05 + rnd() * 45) * DAY_MS) : Math.round(Math.max(entered, NOW - rnd() * 60 * DAY_MS));
    }
    const team = ownerTeam(final, stages[stages.length - 2], rnd);
    owner[i] = final === "LEAD" && rnd() < 0.15 ? 0 : memberOf(team, i);
    amount[i] = stages.includes("SQL") ? 20_000 + Math.floor(rnd() * 32) * 15_000 : 0;
    version[i] = stages.length - 1;
    paths.push({ stages, at });
    pathEvents += stages.length; // the `created` event and one per transition
  }

  // The other events (next steps, reassignments, failed BANT, renewals) fill up to the requested total,
  // more of them on older and further-travelled accounts; cumulative rounding makes the total exact.
  const extra = Math.max(0, size.events - pathEvents);
  const weight = paths.map((p, i) => 1 + p.stages.length + (NOW - createdAt[i]!) / (60 * DAY_MS));
  const weightSum = weight.reduce((sum, w) => sum + w, 0);
  const total = pathEvents + extra;
  const evAccount = new Int32Array(total);
  const evKind = new Uint8Array(total);
  const evFrom = new Int8Array(total).fill(-1);
  const evTo = new Int8Array(total).fill(-1);
  const evActor = new Int32Array(total);
  const evAt = new Float64Array(total);
  const evSeconds = new Int32Array(total).fill(-1);
  const evAmount = new Int32Array(total).fill(-1);
  const evReason = new Int8Array(total).fill(-1);
  const evPlatform = new Uint8Array(total);
  let e = 0;
  let cumulative = 0;
  for (let i = 0; i < n; i++) {
    const { stages, at } = paths[i]!;
    const id = i + 1;
    evAccount[e] = id; evKind[e] = KINDS.indexOf("created"); evTo[e] = stageIndex("LEAD"); evAt[e] = at[0]!;
    evActor[e] = rnd() < 0.4 ? 0 : memberOf("marketing", i); evPlatform[e] = rnd() < 0.4 ? 3 : Math.floor(rnd() * 3);
    e++;
    for (let j = 1; j < stages.length; j++) {
      const from = stages[j - 1]!;
      const to = stages[j]!;
      evAccount[e] = id; evKind[e] = KINDS.indexOf("transition"); evFrom[e] = stageIndex(from); evTo[e] = stageIndex(to);
      evActor[e] = memberOf(ownerTeam(from, stages[j - 2], rnd), i); evAt[e] = at[j]!; evSeconds[e] = Math.round((at[j]! - at[j - 1]!) / 1000);
      const reasons = REASONS[to];
      if (reasons) evReason[e] = REASON_LIST.indexOf(reasons[Math.floor(rnd() * reasons.length)]!);
      evPlatform[e] = Math.floor(rnd() * 3);
      e++;
    }
    const before = Math.floor((cumulative * extra) / weightSum);
    cumulative += weight[i]!;
    const count = (i === n - 1 ? extra : Math.min(extra, Math.floor((cumulative * extra) / weightSum))) - before;
    const last = lastActivityAt[i]!;
    const customer = stages.includes("P4");
    for (let k = 0; k < count; k++) {
      const kind = customer && rnd() < 0.3 ? (rnd() < 0.7 ? "renewal" : "expansion") : stages.includes("SAL") && rnd() < 0.08 ? "bant-failed" : rnd() < 0.75 ? "next-step" : "reassign";
      evAccount[e] = id; evKind[e] = KINDS.indexOf(kind);
      // The latest one is the account's last activity, when it had any since entering its stage.
      evAt[e] = k === 0 && last > enteredAt[i]! ? last : Math.round(createdAt[i]! + rnd() * (last - createdAt[i]!));
      evActor[e] = owner[i] || memberOf("marketing", i);
      if (kind === "renewal" || kind === "expansion") evAmount[e] = 10_000 + Math.floor(rnd() * 20) * 5_000;
      evPlatform[e] = Math.floor(rnd() * 3);
      e++;
    }
  }
  if (e !== total) throw new Error(`bench/seed.ts generated ${e} events, expected ${total}`);
  const order = Uint32Array.from({ length: total }, (_, k) => k).sort((a, b) => evAt[a]! - evAt[b]! || a - b);
  return { accounts: n, stage, createdAt, enteredAt, lastActivityAt, nextStepAt, owner, amount, version, events: total, order, evAccount, evKind, evFrom, evTo, evActor, evAt, evSeconds, evAmount, evReason, evPlatform };
}

/** A table's rows as the writers take them: column names with their PostgreSQL types, and the rows. */
interface TableRows {
  readonly name: string;
  readonly columns: readonly (readonly [name: string, pgType: string])[];
  rows(): Iterable<unknown[]>;
}

/** How a provider wants an instant written. */
type TimeFormat = (ms: number) => string;
/** As the Prisma better-sqlite3 adapter writes DateTime (its default `iso8601` format). */
const sqliteTime: TimeFormat = (ms) => new Date(ms).toISOString().replace("Z", "+00:00");
/** A `timestamp(3)` in UTC, as the pg adapter writes it. */
const postgresTime: TimeFormat = (ms) => new Date(ms).toISOString().slice(0, 23).replace("T", " ");

function tables(data: Dataset, time: TimeFormat): TableRows[] {
  const created = time(NOW - HISTORY_MS - 30 * DAY_MS);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return [
    {
      name: "Team",
      columns: [["key", "text"], ["name", "text"], ["locale", "text"], ["createdAt", "timestamp(3)"]],
      *rows() {
        for (const [i, key] of TEAMS.entries()) yield [key, key[0]!.toUpperCase() + key.slice(1), i % 2 === 0 ? "zh-CN" : "en", created];
      },
    },
    {
      name: "TeamChannel",
      columns: [["teamKey", "text"], ["platform", "text"], ["kind", "text"], ["ref", "text"], ["createdAt", "timestamp(3)"]],
      *rows() {
        for (const key of TEAMS) yield [key, "slack", "channel", `#${key}`, created];
      },
    },
    {
      name: "Member",
      columns: [["id", "int"], ["handle", "text"], ["displayName", "text"], ["teamKey", "text"], ["role", "text"], ["locale", "text"], ["createdAt", "timestamp(3)"]],
      *rows() {
        for (const [t, team] of TEAMS.entries()) {
          for (let k = 0; k < MEMBERS_PER_TEAM; k++) {
            const id = t * MEMBERS_PER_TEAM + k + 1;
            yield [id, `${team}-${k + 1}`, `${PEOPLE[id % PEOPLE.length]} (${team} ${k + 1})`, team, k === 0 ? "manager" : "rep", id % 3 === 0 ? "zh-CN" : "en", created];
          }
        }
      },
    },
    {
      name: "Account",
      columns: [
        ["id", "int"], ["company", "text"], ["domain", "text"], ["email", "text"], ["source", "text"], ["region", "text"], ["industry", "text"], ["size", "int"],
        ["ownerId", "int"], ["stage", "text"], ["stageEnteredAt", "timestamp(3)"], ["lastActivityAt", "timestamp(3)"], ["amount", "int"], ["score", "int"],
        ["nextStepAt", "timestamp(3)"], ["nextStepNote", "text"], ["version", "int"], ["createdAt", "timestamp(3)"],
      ],
      *rows() {
        for (let i = 0; i < data.accounts; i++) {
          const id = i + 1;
          const company = `${WORDS_A[i % WORDS_A.length]} ${WORDS_B[Math.floor(i / WORDS_A.length) % WORDS_B.length]} ${id}`;
          const domain = `${company.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.example`;
          const next = data.nextStepAt[i]!;
          yield [
            id, company, domain, `hello@${domain}`, SOURCES[i % SOURCES.length], REGIONS[i % REGIONS.length], INDUSTRIES[i % INDUSTRIES.length], 10 + ((i * 37) % 5000),
            data.owner[i] || null, STAGES[data.stage[i]!], time(data.enteredAt[i]!), time(data.lastActivityAt[i]!), data.amount[i], (i * 13) % 100,
            Number.isNaN(next) ? null : time(next), Number.isNaN(next) ? null : NOTES[i % NOTES.length], data.version[i], time(data.createdAt[i]!),
          ];
        }
      },
    },
    {
      name: "StageEvent",
      columns: [
        ["id", "int"], ["accountId", "int"], ["kind", "text"], ["fromStage", "text"], ["toStage", "text"], ["actorId", "int"], ["at", "timestamp(3)"],
        ["reasonCode", "text"], ["reasonText", "text"], ["platform", "text"], ["amount", "int"], ["data", "text"], ["secondsInStage", "int"],
      ],
      *rows() {
        for (let r = 0; r < data.events; r++) {
          const k = data.order[r]!;
          const kind = KINDS[data.evKind[k]!]!;
          const from = data.evFrom[k]!;
          const to = data.evTo[k]!;
          const reason = data.evReason[k]!;
          const at = data.evAt[k]!;
          const nextStep = kind === "next-step";
          yield [
            r + 1, data.evAccount[k], kind, from < 0 ? null : STAGES[from], to < 0 ? null : STAGES[to], data.evActor[k] || null, time(at),
            reason < 0 ? null : REASON_LIST[reason], nextStep ? NOTES[k % NOTES.length] : null, PLATFORMS[data.evPlatform[k]!],
            data.evAmount[k]! < 0 ? null : data.evAmount[k], nextStep ? JSON.stringify({ day: day(at + 7 * DAY_MS) }) : null,
            data.evSeconds[k]! < 0 ? null : data.evSeconds[k],
          ];
        }
      },
    },
  ];
}

/** Creates the schema through the product's own migrations (the Prisma CLI), exactly as the bot would. */
async function migrateFresh(url: string): Promise<void> {
  const db = await openDatabase(url);
  try {
    await migrate(db, url);
  } finally {
    await db.close();
  }
}

/** Where a seeded SQLite database is, how long seeding took, and whether it came from the cache. */
export interface Seeded {
  readonly url: string;
  readonly seconds: number;
  readonly cached: boolean;
}

/** A seeded SQLite file for `size`, from bench/.cache/ when an up-to-date one is there. */
export async function seedSqlite(size: SeedSize): Promise<Seeded> {
  const latest = migrationNames("sqlite").at(-1) ?? "none";
  const file = path.join(cacheDir, `digest-v${SEED_VERSION}-${size.accounts}a-${size.events}e-${latest}.db`);
  if (existsSync(file)) return { url: `file:${file}`, seconds: 0, cached: true };
  const started = performance.now();
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.tmp`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`, `${tmp}-journal`]) rmSync(f, { force: true });
  await migrateFresh(`file:${tmp}`);
  const data = generate(size);
  const db = new Sqlite(tmp);
  try {
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -262144");
    const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('Account', 'StageEvent') AND sql IS NOT NULL`).all() as { name: string; sql: string }[];
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    for (const table of tables(data, sqliteTime)) insertSqlite(db, table);
    for (const index of indexes) db.exec(index.sql);
    // No ANALYZE: the product never runs it, so the planner works here as it does on a user's file.
    db.pragma("journal_mode = WAL");
  } finally {
    db.close();
  }
  renameSync(tmp, file);
  return { url: `file:${file}`, seconds: (performance.now() - started) / 1000, cached: false };
}

function insertSqlite(db: Sqlite.Database, table: TableRows): void {
  const batch = Math.min(1000, Math.floor(30_000 / table.columns.length));
  const columns = table.columns.map(([name]) => `"${name}"`).join(", ");
  const tuple = `(${table.columns.map(() => "?").join(", ")})`;
  const statement = (rows: number) => db.prepare(`INSERT INTO "${table.name}" (${columns}) VALUES ${Array(rows).fill(tuple).join(", ")}`);
  const full = statement(batch);
  db.transaction(() => {
    let values: unknown[] = [];
    for (const row of table.rows()) {
      values.push(...row);
      if (values.length === batch * table.columns.length) {
        full.run(values);
        values = [];
      }
    }
    if (values.length) statement(values.length / table.columns.length).run(values);
  })();
}

/** Seeds an empty PostgreSQL database (migrated here) with the same data as SQLite; returns the seconds it took. */
export async function seedPostgres(url: string, size: SeedSize): Promise<number> {
  const started = performance.now();
  await migrateFresh(url);
  const data = generate(size);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('Account', 'StageEvent') AND indexname NOT LIKE '%pkey'`,
    );
    for (const index of indexes) await client.query(`DROP INDEX "${index.indexname}"`);
    for (const table of tables(data, postgresTime)) await insertPostgres(client, table);
    for (const index of indexes) await client.query(index.indexdef);
    for (const table of ["Member", "Account", "StageEvent"]) {
      await client.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT max("id") FROM "${table}"))`);
    }
    // Autovacuum would analyze the new tables within a minute anyway; do it now so every run sees the same plans.
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

async function insertPostgres(client: pg.Client, table: TableRows): Promise<void> {
  const columns = table.columns.map(([name]) => `"${name}"`).join(", ");
  const arrays = table.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const sql = `INSERT INTO "${table.name}" (${columns}) SELECT * FROM unnest(${arrays})`;
  let chunk: unknown[][] = table.columns.map(() => []);
  let rows = 0;
  const flush = async () => {
    await client.query(sql, chunk);
    chunk = table.columns.map(() => []);
    rows = 0;
  };
  for (const row of table.rows()) {
    row.forEach((value, i) => chunk[i]!.push(value));
    if (++rows === 20_000) await flush();
  }
  if (rows) await flush();
}
