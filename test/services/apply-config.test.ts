import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/platforms/cli/run-cli.js";
import { createAccount } from "../../src/store/accounts.js";
import { findMember } from "../../src/store/members.js";
import { findTeam } from "../../src/store/teams.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "funnelbot-config-"));
let n = 0;
function file(text: string): string {
  const name = path.join(dir, `funnelbot-${n++}.yaml`);
  writeFileSync(name, text);
  return name;
}

async function cli(f: Fixture, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, async () => f.ctx, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

// The fixture's ten people, as a file would declare them, with sales on a Slack channel and chen on both platforms.
const PEOPLE = `
members:
  - { handle: mia, name: Mia, team: marketing, role: manager, locale: zh-CN }
  - { handle: mark, name: Mark, team: marketing }
  - { handle: sam, name: Sam, team: sales, role: manager }
  - { handle: alice, name: Alice Wang, team: sales, email: Alice@Example.com, slack: U0ALICE }
  - { handle: bob, name: Bob, team: sales }
  - { handle: chen, name: 陈晨, team: sales, locale: zh-CN, slack: U0CHEN, wecom: ChenChen }
  - { handle: cathy, name: Cathy, team: cs, role: manager, locale: zh-CN }
  - { handle: carl, name: Carl, team: cs }
  - { handle: tom, name: Tom, team: support }
  - { handle: admin, name: Ada, team: marketing, role: admin }
`;
const TEAMS = `
teams:
  - key: sales
    name: Sales
    locale: en
    slack: { channel: C0SALES }
    calendar: us-ca
    timezone: America/Los_Angeles
  - key: cs
    name: Customer Success
    locale: zh-CN
    wecom: { chat: wrCS, robot: robot-key-cs }
`;

describe.each(testDatabases())("funnelbot.yaml on $name", ({ url }) => {
  let f: Fixture | null = null;
  afterEach(async () => {
    await f?.close();
    f = null;
  });

  it("applies teams and members, and a second apply prints no changes", async () => {
    f = await openFixture(await url());
    const config = file(`playbook: email-saas\n${TEAMS}${PEOPLE}`);
    const dry = await cli(f, "config", "apply", config, "--dry-run");
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain("Dry run, nothing written");
    expect(dry.out).toContain("~ team sales:");
    expect((await findTeam(f.db, "sales"))?.slackChannel).toBeNull();

    const first = await cli(f, "config", "apply", config);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/Applied \d+ change/);
    expect(first.out).toContain("~ member alice: displayName Alice → Alice Wang");
    expect(await findTeam(f.db, "sales")).toMatchObject({ slackChannel: "C0SALES", calendar: "us-ca", timezone: "America/Los_Angeles" });
    expect(await findTeam(f.db, "cs")).toMatchObject({ name: "Customer Success", locale: "zh-CN", wecomChatId: "wrCS", wecomRobotKey: "robot-key-cs" });
    expect(await findMember(f.db, { slackUserId: "U0CHEN" })).toMatchObject({ handle: "chen", wecomUserId: "ChenChen" });
    expect(await findMember(f.db, { email: "alice@example.com" })).toMatchObject({ handle: "alice", slackUserId: "U0ALICE" });

    const counts = await tableCounts(f.db);
    const second = await cli(f, "config", "apply", config);
    expect(second).toMatchObject({ code: 0, out: "no changes" });
    expect(await tableCounts(f.db)).toEqual(counts);
  });

  it("deactivates a member the file no longer names, handing their accounts to the team's round robin", async () => {
    f = await openFixture(await url());
    const created = await createAccount(f.db, {
      company: "Left Behind Co", domain: "leftbehind.example", email: null, source: null, region: null, industry: null,
      amount: 0, stage: "SAL", ownerId: f.members.bob!.id, actorId: null, platform: "cli", at: f.clock.read(), idempotency: null,
    });
    const id = created.kind === "created" ? created.id : 0;
    const withoutBob = PEOPLE.split("\n").filter((l) => !l.includes("handle: bob")).join("\n");
    const applied = await cli(f, "config", "apply", file(withoutBob));
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toContain("- member bob: deactivated, 1 account(s) to the sales round robin");
    expect((await findMember(f.db, { handle: "bob" }))?.active).toBe(false);
    const owner = await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { owner: { select: { handle: true } } } });
    expect(["alice", "chen"]).toContain(owner.owner?.handle);
    expect((await cli(f, "config", "apply", file(withoutBob))).out).toBe("no changes");
  });

  it("refuses a typo'd team, a duplicated member and a removal with nowhere to go, naming the line, writing nothing", async () => {
    f = await openFixture(await url());
    const before = await tableCounts(f.db);
    const typo = await cli(f, "config", "apply", file(`${PEOPLE}  - { handle: newbie, name: New, team: slaes }\n`));
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/funnelbot-\d+\.yaml:13: members\.10\.team: no team "slaes"/);
    const twice = await cli(f, "config", "apply", file(`${PEOPLE}  - { handle: bob, name: Bob Again, team: sales }\n`));
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/:13: members\.10\.handle: member bob is declared twice/);
    const unknownKey = await cli(f, "config", "apply", file(`${PEOPLE}  - { handle: zed, name: Zed, team: sales, rol: rep }\n`));
    expect(unknownKey.err).toMatch(/:13: members\.10\.rol:/);
    // Alice, bob and chen all gone: sales has no rep left to take alice's account.
    await createAccount(f.db, {
      company: "Orphan Co", domain: "orphan.example", email: null, source: null, region: null, industry: null,
      amount: 0, stage: "SAL", ownerId: f.members.alice!.id, actorId: null, platform: "cli", at: f.clock.read(), idempotency: null,
    });
    const counts = await tableCounts(f.db);
    const noReps = PEOPLE.split("\n").filter((l) => !/handle: (alice|bob|chen)/.test(l)).join("\n");
    const orphan = await cli(f, "config", "apply", file(noReps));
    expect(orphan.code).toBe(2);
    expect(orphan.err).toContain("alice is no longer in the file, but their accounts have nowhere to go: #");
    expect(orphan.err).toContain("Orphan Co");
    expect(await tableCounts(f.db)).toEqual(counts);
    expect(counts.members).toBe(before.members);
    expect((await findMember(f.db, { handle: "alice" }))?.active).toBe(true);
  });
});
