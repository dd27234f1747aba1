// Every preset, every way out: an account goes from the playbook's first stage to each of its end stages
// through the CLI, as the members who may act there. The end stages come from the playbook itself: the last
// stage of its main path (the customer it wins) and every stage off that path (lost, unqualified, returned,
// churned, archived …), each reached by the shortest run of moves. At each step: the reply names the stage
// (never its code), the owner is someone who works that stage, `lead mine` lists the account only while it
// is open, and the messages queued name the right people.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mainPath } from "../../src/domain/funnel.js";
import { isClosed, type Playbook, type Transition } from "../../src/domain/playbook.js";
import { loadPreset, presetNames } from "../../src/domain/presets/index.js";
import { freshSqliteUrl } from "../support/databases.js";
import { cli } from "../support/cli.js";
import { openFixture, type Fixture } from "../support/fixture.js";



async function ok(f: Fixture, line: string): Promise<string> {
  const result = await cli(f, line);
  expect({ line, code: result.code, err: result.err }).toEqual({ line, code: 0, err: "" });
  return result.out;
}

/** The stages an account's story can end in: the main path's last stage, and every stage off the main path. */
function endStages(playbook: Playbook): string[] {
  const main = mainPath(playbook);
  const onPath = new Set([playbook.initialStage, ...main.map((m) => m.to)]);
  const offPath = playbook.stages.map((s) => s.code).filter((code) => !onPath.has(code));
  return [main.at(-1)!.to, ...offPath];
}

/** The shortest run of moves from the initial stage to `target` (breadth first over the playbook's moves). */
function routeTo(playbook: Playbook, target: string): Transition[] {
  const came = new Map<string, Transition | null>([[playbook.initialStage, null]]);
  const queue = [playbook.initialStage];
  while (queue.length && !came.has(target)) {
    const from = queue.shift()!;
    for (const move of playbook.transitions.filter((t) => t.from === from)) {
      if (came.has(move.to)) continue;
      came.set(move.to, move);
      queue.push(move.to);
    }
  }
  const route: Transition[] = [];
  for (let move = came.get(target); move; move = came.get(move.from)) route.unshift(move);
  return route;
}

interface Person { id: number; handle: string; displayName: string; teamKey: string; locale: "en" | "zh-CN" }

async function ownerOf(f: Fixture, id: number): Promise<Person | null> {
  const row = await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { owner: { select: { id: true, handle: true, displayName: true, teamKey: true, locale: true } } } });
  return row.owner as Person | null;
}

/** Whether `lead mine` lists the account for this member. */
async function mine(f: Fixture, handle: string, id: number): Promise<boolean> {
  return (await ok(f, `lead mine --as ${handle}`)).includes(`#${id} `);
}

/** Whether `lead mine` should list an account in this stage: an open stage worked against a clock (SLA or idle limit). */
function listed(playbook: Playbook, code: string): boolean {
  const stage = playbook.stages.find((s) => s.code === code)!;
  return !isClosed(playbook, code) && (stage.sla !== null || stage.idleDays !== null);
}

/** A stage as people read it: its name in their language, with a P-level code in front. */
function shown(playbook: Playbook, code: string, locale: "en" | "zh-CN"): string {
  const stage = playbook.stages.find((s) => s.code === code)!;
  const name = locale === "zh-CN" ? stage.name.zh : stage.name.en;
  return /^P\d+$/.test(code) ? `${code} ${name}` : name;
}

/** No stage appears by its code, unless the code is its name (MQL) or a P-level shown beside the name. */
function expectNoCodes(playbook: Playbook, text: string, context: string): void {
  for (const stage of playbook.stages) {
    if (/^P\d+$/.test(stage.code) || stage.name.en.includes(stage.code) || stage.name.zh.includes(stage.code)) continue;
    expect(text, `${context}: the code ${stage.code}`).not.toMatch(new RegExp(`\\b${stage.code}\\b`));
  }
}

const BANT = `budget=80000 currency=CNY confirmed=yes dm="Li Wei" role=CTO engaged=yes need="transactional email" date=2099-12-31`;

function command(playbook: Playbook, move: Transition, id: number): string {
  const reason = move.reasons ? ` ${playbook.reasons[move.reasons]![0]!.key}` : "";
  const lines: Record<Transition["verb"], string> = {
    handoff: `lead handoff #${id} --confirm all`, accept: `lead accept #${id}`, return: `lead return #${id}${reason}`,
    disqualify: `lead unqualified #${id}${reason}`, qualify: `lead qualify #${id} ${BANT}`, validate: `account validate #${id}`,
    "validate-pass": `account validate #${id} pass`, "validate-fail": `account validate #${id} fail`, sign: `account sign #${id}`,
    advance: `account advance #${id} --confirm all`, lose: `lead lost #${id}${reason}`, churn: `account churn #${id}${reason}`,
    winback: `account recall #${id}`, archive: `account archive #${id}`, recycle: `lead recycle #${id}`,
  };
  return lines[move.verb];
}

describe.each(presetNames)("the %s preset, from its first stage to each end", (name) => {
  const playbook = loadPreset(name)!;
  // One database per preset; each end gets its own new lead.
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl(), playbook);
  });
  afterAll(() => f?.close());

  it.each(endStages(playbook))("to %s", async (end) => {
    const created = await ok(f, `lead new "Ends ${name} ${end.toLowerCase()}" --domain ends-${end.toLowerCase().replace(/_/g, "-")}.example --as admin`);
    const id = Number(/#(\d+)/.exec(created)![1]);
    const route = routeTo(playbook, end);
    expect(route.at(-1)?.to).toBe(end);
    for (const move of route) {
      const before = await ownerOf(f, id);
      const stage = playbook.stages.find((s) => s.code === move.from)!;
      const target = playbook.stages.find((s) => s.code === move.to)!;
      // The owner acts when their team works the stage; otherwise a manager of a team that works it (for a
      // hand-off, of the team handing over rather than the one it goes to), or the admin.
      const owner = before && stage.teams.includes(before.teamKey) ? before : null;
      const teams = move.verb === "handoff" && stage.teams.some((t) => t !== target.assignTo) ? stage.teams.filter((t) => t !== target.assignTo) : stage.teams;
      const manager = Object.values(f.members).find((m) => m.role === "manager" && m.teamKey === teams[0]);
      const actor = owner ?? manager ?? f.members.admin!;
      const outboxBefore = await f.db.prisma.outboxMessage.count();
      const line = `${command(playbook, move, id)} --as ${actor.handle}`;
      const out = await ok(f, line);
      f.clock.advance(86_400_000);

      // The reply names the stage it moved to, in the actor's language, and no stage by its code.
      expect(out, line).toContain(shown(playbook, move.to, actor.locale));
      expectNoCodes(playbook, out, line);
      const after = await ownerOf(f, id);
      expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage).toBe(move.to);
      const closed = isClosed(playbook, move.to);
      // The owner works the new stage (or keeps a closed account as its last owner); a new owner is named.
      if (after) expect(closed || target.teams.includes(after.teamKey), `${line}: owner ${after.handle} of ${after.teamKey} in ${move.to}`).toBe(true);
      if (after && after.handle !== before?.handle) {
        expect(out, line).toContain(actor.locale === "zh-CN" ? `负责人:${after.displayName}` : `Owner: ${after.displayName}`);
      }
      // `lead mine` lists the account for its owner while it is open, and never for a previous owner.
      if (after) expect(await mine(f, after.handle, id), line).toBe(listed(playbook, move.to));
      if (before && before.handle !== after?.handle) expect(await mine(f, before.handle, id), line).toBe(false);

      // The messages queued: a DM goes to the owner alone; channel copies and notices name the owner or who acted.
      const rows = await f.db.prisma.outboxMessage.findMany({ where: { id: { gt: outboxBefore } }, select: { targetKind: true, target: true, payload: true } });
      const automated = playbook.automations.flatMap((a) => (a.kind === "message-on-enter" && a.stage === move.to ? [a.text.en, a.text.zh] : []));
      for (const row of rows) {
        const text = (JSON.parse(row.payload) as { reply: { text: string } }).reply.text;
        if (row.targetKind === "member") expect(Number(row.target), `${line}: DM ${text}`).toBe(after?.id);
        if (row.targetKind === "team") expect(target.teams.concat(stage.teams, playbook.teams.map((t) => t.key)).includes(row.target)).toBe(true);
        if (automated.some((a) => text.includes(a))) continue;
        const people = [actor.displayName, after?.displayName].filter(Boolean) as string[];
        // The owner's own DM speaks to them ("New MQL for you", 你有…); every other copy names someone.
        const addressed = row.targetKind === "member" && /\byou\b|你/.test(text);
        expect(addressed || people.some((p) => text.includes(p)), `${line}: ${row.targetKind}:${row.target} ${text}`).toBe(true);
        expectNoCodes(playbook, text, line);
      }
      if (target.assignTo && after && move.verb === "handoff") {
        expect(after.teamKey).toBe(target.assignTo);
        expect(rows.some((r) => r.targetKind === "member" && Number(r.target) === after.id)).toBe(true);
        expect(rows.some((r) => r.targetKind === "team" && r.target === target.assignTo && r.payload.includes(after.displayName))).toBe(true);
      }
    }

    // The account view tells the whole story by stage names.
    const story = await ok(f, `lead show #${id} --as admin`);
    for (const move of route) expect(story).toContain(shown(playbook, move.to, "en"));
    expectNoCodes(playbook, story, "lead show");
  });
});
