import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/platforms/cli/run-cli.js";
import { importLeads, type ImportOptions } from "../../src/services/import-leads.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

const options: ImportOptions = { mapping: {}, dryRun: false, source: null };
const csv = (text: string) => Readable.from([text]);

const FILE = [
  "Company,E-mail,Title,Employees,Industry,Region",
  "Good One,ann@good-one.example,CTO,300,saas,cn",
  "Bad Email,not-an-email,,,,",
  ",nameless@x.example,,,,",
  "Good Two,bob@good-two.example,,12,,",
  "Bad Size,c@bad-size.example,,lots,,",
  "Good One Again,zoe@good-one.example,,,,sea",
].join("\n");

describe.each(testDatabases())("CSV lead import on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());

  it("imports the good rows, reports each bad one with its line, and changes nothing when run again", async () => {
    const before = await tableCounts(f.db);
    const dry = await importLeads(f.ctx, csv(FILE), { ...options, dryRun: true });
    expect(dry).toMatchObject({ rows: 6, created: 2, errors: expect.any(Array) });
    expect(await tableCounts(f.db)).toEqual(before);

    const report = await importLeads(f.ctx, csv(FILE), options);
    expect(report).toEqual({
      rows: 6, created: 2, updated: 0, unchanged: 0, handedOff: 0,
      errors: [
        { line: 3, fields: { email: "must be an email address" } },
        { line: 4, fields: { company: "is required" } },
        { line: 6, fields: { size: "must be a number of employees" } },
      ],
    });
    // The last row shares Good One's domain: it completes that lead (region sea) rather than duplicating it.
    const rows = await f.db.prisma.account.findMany({ where: { domain: { in: ["good-one.example", "good-two.example"] } }, select: { company: true, title: true, score: true, size: true }, orderBy: { id: "asc" } });
    expect(rows).toEqual([
      { company: "Good One", title: "CTO", score: 33, size: 300 },
      { company: "Good Two", title: null, score: 3, size: 12 },
    ]);
    const counts = await tableCounts(f.db);
    const again = await importLeads(f.ctx, csv(FILE), options);
    expect(again).toMatchObject({ created: 0, unchanged: 2, updated: 0 });
    expect(await tableCounts(f.db)).toEqual(counts);
    // A later file with new facts updates the lead (and its score), still without a duplicate.
    const newer = await importLeads(f.ctx, csv("company,email,title\nGood Two,bob@good-two.example,Director of Ops"), options);
    expect(newer).toMatchObject({ created: 0, updated: 1 });
    expect(await f.db.prisma.account.findFirst({ where: { domain: "good-two.example" }, select: { title: true, score: true } })).toEqual({ title: "Director of Ops", score: 9 });
  });

  it("reads mapped and Chinese headers, and reports a row the CSV parser cannot read", async () => {
    const file = ["公司,邮箱,Firma Größe,行业", "华东物流,li@hd-logistics.example,250,ecommerce", '"Broken,x@broken.example,1,'].join("\n");
    const report = await importLeads(f.ctx, csv(file), { ...options, mapping: { size: "Firma Größe" } });
    expect(report.created).toBe(1);
    expect(report.errors).toEqual([{ line: 3, fields: { row: expect.stringContaining("Quote Not Closed") } }]);
    expect(await f.db.prisma.account.findFirst({ where: { domain: "hd-logistics.example" }, select: { company: true, size: true, industry: true } })).toEqual({ company: "华东物流", size: 250, industry: "ecommerce" });
    await expect(importLeads(f.ctx, csv("Name,Mail\nx,y@z.example"), options)).rejects.toThrow(/No company column/);
  });

  it("runs from the CLI with --map, --dry-run and a per-row report, exiting 1 when rows were refused", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const dir = mkdtempSync(`${(await import("node:os")).tmpdir()}/funnelbot-import-`);
    const path = `${dir}/leads.csv`;
    writeFileSync(path, "Org,Mail\nCli Co,a@cli-co.example\nNope,bad\n");
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    expect(await runCli(["import", path, "--map", "company=Org,email=Mail", "--dry-run"], async () => f.ctx, io)).toBe(1);
    expect(out.join("\n")).toContain("would create 1");
    expect(out.join("\n")).toContain("line 3: email: must be an email address");
    expect(await f.db.prisma.account.count({ where: { domain: "cli-co.example" } })).toBe(0);
    expect(await runCli(["import", path, "--map", "company=Org,email=Mail"], async () => f.ctx, io)).toBe(1);
    expect(await f.db.prisma.account.count({ where: { domain: "cli-co.example" } })).toBe(1);
  });

  it("imports 10 000 rows without holding the event loop for long", async () => {
    const lines = ["company,domain,size"];
    for (let i = 0; i < 10_000; i++) lines.push(`Bulk ${i},bulk-${i}.example,${i % 500}`);
    // A 1 ms timer fires once per turn of the event loop that the import leaves it: a blocking import
    // would let it fire a handful of times in all, and leave one stretch as long as the whole import.
    const started = performance.now();
    let last = started;
    let longest = 0;
    let ticks = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks += 1;
    }, 1);
    const report = await importLeads(f.ctx, csv(lines.join("\n")), options).finally(() => clearInterval(ticker));
    const total = performance.now() - started;
    expect(report).toMatchObject({ rows: 10_000, created: 10_000, errors: [] });
    expect(await f.db.prisma.account.count({ where: { company: { startsWith: "Bulk " } } })).toBe(10_000);
    // The loop got a turn at least once per batch of 250 rows, and no stretch held it for a large share of
    // the import (a ratio, so a slow or busy machine moves both sides).
    expect(ticks).toBeGreaterThanOrEqual(10_000 / 250);
    expect(longest).toBeLessThan(total / 4);
  }, 120_000);
});
