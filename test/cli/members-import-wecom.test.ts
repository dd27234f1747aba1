import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/platforms/cli/run-cli.js";
import { readWecomMention } from "../../src/platforms/wecom/mentions.js";
import { runCommand } from "../../src/services/run-command.js";
import { WecomClient } from "../../src/platforms/wecom/client.js";
import { wecomDirectory } from "../../src/platforms/wecom/directory.js";
import type { ServiceContext } from "../../src/services/context.js";
import { findMember, updateMember } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { testDatabases } from "../support/databases.js";
import { FakeWecom, TEST_WECOM_APP } from "../support/fake-wecom.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const APP = TEST_WECOM_APP;

describe.each(testDatabases())("members import wecom ($name)", (database) => {
  let f: Fixture;
  let wecom: FakeWecom;
  let ctx: ServiceContext;
  const sleeps: number[] = [];

  beforeAll(async () => {
    f = await openFixture(await database.url());
    await upsertTeam(f.db, { key: "cs", name: "Customer success", locale: "zh-CN" });
    await updateMember(f.db, "alice", { email: "alice.w@example.com" });
    wecom = new FakeWecom(APP);
    await wecom.start();
    // 客户成功部 (10) with two groups under it (11, 12); 销售部 (20) outside the app's visible range.
    for (const [id, parent] of [[10, 1], [11, 10], [12, 10], [20, 1]] as const) wecom.departments.set(id, parent);
    wecom.visibleRange = new Set([10]);
    for (let i = 1; i <= 30; i++) {
      const department = i <= 10 ? [10] : i <= 20 ? [11] : [12];
      wecom.people.set(`cs${i}`, { userid: `cs${i}`, name: `客服${i}`, department, email: `cs${i}@example.com` });
    }
    // In two departments (listed twice by WeCom), disabled, departed, not yet activated, and Alice by her email.
    wecom.people.set("cs5", { userid: "cs5", name: "客服5", department: [10, 11], email: "cs5@example.com" });
    wecom.people.set("gone1", { userid: "gone1", name: "停用", department: [11], status: 2 });
    wecom.people.set("gone2", { userid: "gone2", name: "离职", department: [12], status: 5 });
    wecom.people.set("newbie", { userid: "newbie", name: "新人", department: [12], status: 4 });
    wecom.people.set("AliceW", { userid: "AliceW", name: "Alice Wang", department: [10], email: "Alice.W@example.com" });
    wecom.people.set("sales1", { userid: "sales1", name: "销售1", department: [20] });
    const client = new WecomClient({ corpId: APP.corpId, agentId: APP.agentId, secret: APP.secret, apiUrl: wecom.url });
    // The test records the back-off instead of sleeping it.
    ctx = { ...f.ctx, directories: { wecom: wecomDirectory(client, { sleep: async (ms) => void sleeps.push(ms) }) } };
  });
  afterAll(async () => {
    await wecom?.stop();
    await f?.close();
  });
  beforeEach(() => {
    wecom.failWhen = null;
    sleeps.length = 0;
  });

  async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, async () => ctx, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  }
  const counts = async () => [await f.db.prisma.member.count(), await f.db.prisma.memberIdentity.count()];

  it("names a department that does not exist, one outside the app's visible range, and writes nothing", async () => {
    const before = await counts();
    const missing = await cli(["members", "import", "wecom", "--department", "999", "--team", "cs"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("department/simplelist 999: WeCom says the department does not exist (errcode 60123)");
    const hidden = await cli(["members", "import", "wecom", "--department", "20", "--team", "cs"]);
    expect(hidden.code).toBe(1);
    expect(hidden.err).toContain("可见范围");
    const typo = await cli(["members", "import", "wecom", "--department", "客户成功部", "--team", "cs"]);
    expect(typo.err).toContain("a WeCom department id is a number");
    expect(await counts()).toEqual(before);
  });

  it("never half-applies when WeCom stays busy part way through the departments", async () => {
    const before = await counts();
    let lists = 0;
    wecom.failWhen = (api) => (api === "user/list" && ++lists >= 2 ? { errcode: -1, errmsg: "system busy" } : null);
    const busy = await cli(["members", "import", "wecom", "--department", "10", "--team", "cs"]);
    expect(busy.code).toBe(1);
    expect(busy.err).toContain("user/list 11: WeCom kept answering busy (errcode -1); try again later. Nothing was imported.");
    // Three waits (0.5 s, 1 s, 2 s) before giving up on the fourth try.
    expect(sleeps).toEqual([500, 1000, 2000]);
    expect(await counts()).toEqual(before);
  });

  it("shows a dry run, then imports the department and those under it, riding out a -1 midway, once", async () => {
    const before = await counts();
    const dry = await cli(["members", "import", "wecom", "--department", "10", "--team", "cs", "--dry-run"]);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain("Would add 31 to cs, would link 1; 0 already member(s), 2 disabled or departed skipped.");
    expect(await counts()).toEqual(before);

    let lists = 0;
    wecom.failWhen = (api) => (api === "user/list" && ++lists === 2 ? { errcode: -1, errmsg: "system busy" } : null);
    const from = wecom.calls.length;
    const run = await cli(["members", "import", "wecom", "--department", "10", "--team", "cs", "--role", "rep"]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain("Added 31 to cs, linked 1;");
    expect(sleeps).toEqual([500]);
    // Every department was read after the retry: 10, 11 (the one that was busy) and 12.
    expect(wecom.calls.slice(from).filter((c) => c.api === "user/list").filter((c) => c.response.errcode === 0).map((c) => c.query.department_id)).toEqual(["10", "11", "12"]);
    expect(await findMember(f.db, { wecomUserId: "cs15" })).toMatchObject({ displayName: "客服15", teamKey: "cs", role: "rep", locale: "zh-CN", email: "cs15@example.com" });
    expect(await findMember(f.db, { wecomUserId: "newbie" })).toMatchObject({ handle: "newbie", displayName: "新人" });
    expect(await findMember(f.db, { wecomUserId: "gone1" })).toBeNull();
    expect(await findMember(f.db, { wecomUserId: "gone2" })).toBeNull();
    expect(await findMember(f.db, { wecomUserId: "sales1" })).toBeNull();
    // Alice, known by her email, is one member with a WeCom identity now, in her own team still.
    expect(await findMember(f.db, { wecomUserId: "AliceW" })).toMatchObject({ handle: "alice", teamKey: "sales" });
    const [members] = await counts();
    expect(members).toBe(before[0]! + 31);

    const again = await cli(["members", "import", "wecom", "--department", "10", "--team", "cs"]);
    expect(again.out).toContain("Added 0 to cs, linked 0; 32 already member(s)");
    expect((await counts())[0]).toBe(members);
  });

  it("fills a newcomer's name from user/get when a manager adds them by their UserID", async () => {
    wecom.people.set("ZhouQi", { userid: "ZhouQi", name: "周琪", department: [12] });
    const reply = await runCommand(ctx, f.members.cathy!, "funnel member add ZhouQi cs rep", { platform: "wecom", mentions: readWecomMention });
    expect(reply.errorCode).toBeUndefined();
    expect(await findMember(f.db, { wecomUserId: "ZhouQi" })).toMatchObject({ displayName: "周琪", teamKey: "cs", locale: "zh-CN" });
    expect(wecom.callsTo("user/get").map((c) => c.query.userid)).toContain("ZhouQi");
  });

  it("imports from an app created after June 2022 without emails: names and UserIDs only", async () => {
    wecom.createdAfterJune2022 = true;
    try {
      wecom.departments.set(30, 1);
      wecom.visibleRange = new Set([10, 30]);
      wecom.people.set("late1", { userid: "late1", name: "晚来", department: [30], email: "late1@example.com" });
      const run = await cli(["members", "import", "wecom", "--department", "30", "--team", "cs"]);
      expect(run.code, run.err).toBe(0);
      expect(await findMember(f.db, { wecomUserId: "late1" })).toMatchObject({ handle: "late1", displayName: "晚来", email: null });
    } finally {
      wecom.createdAfterJune2022 = false;
    }
  });
});
