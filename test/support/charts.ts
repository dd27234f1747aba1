import { expect } from "vitest";
import { createLead } from "../../src/services/create-lead.js";
import { runCommand } from "../../src/services/run-command.js";
import type { Fixture } from "./fixture.js";

/** Whether the bytes start with PNG's signature. */
export const isPng = (bytes: Buffer) => bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

/** Enough of a funnel to draw: each company created by marketing and handed to sales. */
export async function someFunnel(f: Fixture, companies: readonly string[]): Promise<void> {
  for (const company of companies) {
    const made = await createLead(f.ctx, f.members.mia!, { company, email: null, domain: `${company.replace(/\W/g, "").toLowerCase()}.example`, source: "webinar", amount: 8000, region: null, industry: null }, { platform: "cli" });
    if (!made.ok) throw new Error(made.error.code);
    expect((await runCommand(f.ctx, f.members.mia!, `lead handoff #${made.value.accountId} --confirm all`, { platform: "cli" })).errorCode).toBeUndefined();
  }
}
