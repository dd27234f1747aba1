import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/commands/parser.js";
import { bantForm, checklistForm } from "../../src/commands/render-reply.js";
import { moveButtons, reasonForm } from "../../src/commands/render-notice.js";
import { formOf, formToCommand, type Block, type Form, type Reply } from "../../src/commands/reply.js";
import type { AccountState } from "../../src/domain/account.js";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";
import { SLACK } from "../../src/platforms/limits.js";
import { escapeMrkdwn, fieldErrors, formView, replyBlocks, viewValues, type ViewElementState } from "../../src/platforms/slack/blocks.js";

const playbook = PlaybookSchema.parse(emailSaas);

function account(stage: string, fields: Partial<AccountState> = {}): AccountState {
  return {
    id: 42, company: "Acme", domain: "acme.example", email: null, source: "web", ownerId: 1, stage,
    stageEnteredAt: new Date("2026-11-20T00:00:00Z"), lastActivityAt: new Date("2026-11-20T00:00:00Z"), amount: 1000, currency: "CNY",
    score: 0, nextStepAt: null, nextStepNote: null, version: 3, ...fields,
  };
}

function reply(blocks: Block[], text = "fallback"): Reply {
  return { text, blocks, ephemeral: false };
}

/** Every text a block shows, as Slack would count it. */
function texts(block: KnownBlock): string[] {
  switch (block.type) {
    case "header": return [block.text.text];
    case "section": return [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((f) => f.text)];
    case "context": return block.elements.map((e) => ("text" in e && typeof e.text === "string" ? e.text : ""));
    case "actions": return block.elements.map((e) => (e.type === "button" ? e.text.text : ""));
    default: return [];
  }
}

/** Checks a message against every Slack limit the renderer promises to honour. */
function expectValidMessage(blocks: KnownBlock[], max: number = SLACK.messageBlocks): void {
  expect(blocks.length).toBeLessThanOrEqual(max);
  expect(blocks.flatMap(texts).join("").length).toBeLessThanOrEqual(SLACK.messageText);
  const actionIds = new Set<string>();
  for (const block of blocks) {
    if (block.type === "section") {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK.sectionText);
      expect(block.text?.text.trim() || block.fields?.length).toBeTruthy();
      expect((block.fields ?? []).length).toBeLessThanOrEqual(SLACK.sectionFields);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(SLACK.sectionFieldText);
    }
    if (block.type === "header") expect(block.text.text.length).toBeLessThanOrEqual(SLACK.headerText);
    if (block.type === "actions") {
      expect(block.elements.length).toBeLessThanOrEqual(SLACK.actionsElements);
      for (const element of block.elements) {
        if (element.type !== "button") throw new Error(`unexpected ${element.type}`);
        expect(element.text.text.length).toBeLessThanOrEqual(SLACK.buttonText);
        expect((element.value ?? "").length).toBeLessThanOrEqual(SLACK.buttonValue);
        expect(actionIds.has(element.action_id!)).toBe(false);
        actionIds.add(element.action_id!);
      }
    }
  }
}

/** Checks a modal against every Slack limit formView promises to honour. */
function expectValidView(view: ModalView, form: Form): void {
  expect(view.type).toBe("modal");
  expect(view.title.text.length).toBeGreaterThan(0);
  expect(view.title.text.length).toBeLessThanOrEqual(SLACK.viewTitle);
  expect(view.submit!.text.length).toBeLessThanOrEqual(SLACK.viewSubmit);
  expect(view.close!.text.length).toBeLessThanOrEqual(SLACK.viewClose);
  expect(view.blocks.length).toBeLessThanOrEqual(SLACK.modalBlocks);
  expect(view.blocks.map((b) => (b as InputBlock).block_id)).toEqual(form.fields.map((f) => f.name));
  for (const [i, block] of (view.blocks as InputBlock[]).entries()) {
    const field = form.fields[i]!;
    expect(block.type).toBe("input");
    expect(block.optional).toBe(!field.required);
    expect(block.label.text.length).toBeLessThanOrEqual(SLACK.inputLabel);
    expect(block.element.action_id).toBe("value");
    const options = "options" in block.element ? (block.element.options ?? []) as PlainTextOption[] : [];
    const limit = block.element.type === "checkboxes" || block.element.type === "radio_buttons" ? SLACK.checkboxOptions : SLACK.selectOptions;
    expect(options.length).toBeLessThanOrEqual(limit);
    for (const option of options) {
      expect(option.text.text.length).toBeLessThanOrEqual(SLACK.optionText);
      expect((option.value ?? "").length).toBeLessThanOrEqual(SLACK.optionValue);
    }
  }
}

/** What Slack would send back in view.state.values for a view filled in with `answers` (by block_id). */
function stateFor(view: ModalView, answers: Record<string, string | string[]>): Record<string, Record<string, ViewElementState>> {
  const state: Record<string, Record<string, ViewElementState>> = {};
  for (const block of view.blocks as InputBlock[]) {
    const answer = answers[block.block_id!];
    const element = block.element;
    const options = ("options" in element ? (element.options ?? []) : []) as PlainTextOption[];
    const pick = (value: string) => {
      const found = options.find((o) => o.value === value);
      if (!found) throw new Error(`${value} is not an option of ${block.block_id}`);
      return { value: found.value! };
    };
    let value: ViewElementState;
    switch (element.type) {
      case "checkboxes":
      case "multi_static_select":
        value = { type: element.type, selected_options: ((answer as string[] | undefined) ?? []).map(pick) };
        break;
      case "static_select":
      case "radio_buttons":
        value = { type: element.type, selected_option: answer === undefined ? null : pick(answer as string) };
        break;
      case "datepicker":
        value = { type: element.type, selected_date: (answer as string | undefined) ?? null };
        break;
      default:
        value = { type: element.type, value: (answer as string | undefined) ?? null };
    }
    state[block.block_id!] = { [element.action_id!]: value };
  }
  return state;
}

const N_MORE = /…and (\d+) more, see \/funnel or \/lead show$/;

describe("replyBlocks: staying inside Slack's message limits", () => {
  it("cuts a reply with 500 list items and a 20 kB text to a valid message that says how much is left out", () => {
    const items = Array.from({ length: 500 }, (_, i) => `#${i + 1} Account ${i + 1} — Sales accepted — Member ${i % 7} — 12 of 5 days`);
    const long = Array.from({ length: 450 }, (_, i) => `Line ${i} of a long report, fifty characters wide.`).join("\n");
    expect(long.length).toBeGreaterThan(20_000);
    const blocks = replyBlocks(reply([{ kind: "heading", text: "Digest" }, { kind: "text", text: long }, { kind: "list", items }]));

    expectValidMessage(blocks);
    const last = blocks.at(-1)!;
    expect(last.type).toBe("context");
    expect(texts(last)[0]).toMatch(N_MORE);
    expect(Number(N_MORE.exec(texts(last)[0]!)![1])).toBeGreaterThan(0);
  });

  it("counts exactly the list items it leaves out", () => {
    const items = Array.from({ length: 500 }, (_, i) => `#${i + 1} Account number ${i + 1} in Sales accepted`);
    const blocks = replyBlocks(reply([{ kind: "list", items }]));
    expectValidMessage(blocks);
    const shown = blocks.slice(0, -1).flatMap(texts).join("\n").split("\n");
    expect(shown[0]).toBe("#1 Account number 1 in Sales accepted");
    const hidden = Number(N_MORE.exec(texts(blocks.at(-1)!)[0]!)![1]);
    expect(shown.length + hidden).toBe(500);
  });

  it("never passes the block count: 80 headings become 49 and a line for the other 31", () => {
    const blocks = replyBlocks(reply(Array.from({ length: 80 }, (_, i) => ({ kind: "heading" as const, text: `Stage ${i}` }))));
    expect(blocks).toHaveLength(SLACK.messageBlocks);
    expect(texts(blocks.at(-1)!)).toEqual(["…and 31 more, see /funnel or /lead show"]);
    expect(replyBlocks(reply(Array.from({ length: 80 }, () => ({ kind: "divider" as const }))), 5)).toHaveLength(5);
  });

  it("says it in Chinese for a Chinese reader", () => {
    const blocks = replyBlocks(reply(Array.from({ length: 60 }, () => ({ kind: "heading" as const, text: "阶段" }))), SLACK.messageBlocks, "zh-CN");
    expect(texts(blocks.at(-1)!)[0]).toBe("…还有 11 条,请用 /funnel 或 /lead show 查看");
    const listed = replyBlocks(reply([{ kind: "list", items: ["a"], more: 7 }]), SLACK.messageBlocks, "zh-CN");
    expect(texts(listed.at(-1)!)).toEqual(["…还有 7 条"]);
  });

  it("shows a list's own “and N more” when the whole list fits", () => {
    const blocks = replyBlocks(reply([{ kind: "list", items: ["one", "two"], more: 7 }]));
    expect(blocks).toEqual([
      { type: "section", text: { type: "mrkdwn", text: "one\ntwo" } },
      { type: "context", elements: [{ type: "mrkdwn", text: "…and 7 more" }] },
    ]);
  });

  it("splits long text on line boundaries into sections of at most 3000 characters, losing nothing", () => {
    const long = Array.from({ length: 700 }, (_, i) => `${i}: a < b & c > d`).join("\n");
    const blocks = replyBlocks(reply([{ kind: "text", text: long }]), SLACK.messageBlocks, "en", Number.POSITIVE_INFINITY);
    expect(blocks.length).toBeGreaterThan(3);
    for (const block of blocks) expect(texts(block)[0]!.length).toBeLessThanOrEqual(SLACK.sectionText);
    expect(blocks.flatMap(texts).join("\n")).toBe(escapeMrkdwn(long));
  });

  it("hard-splits one overlong line without breaking an escaped entity", () => {
    const blocks = replyBlocks(reply([{ kind: "text", text: "&".repeat(5000) }]), SLACK.messageBlocks, "en", Number.POSITIVE_INFINITY);
    const pieces = blocks.flatMap(texts);
    expect(pieces.join("")).toBe("&amp;".repeat(5000));
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(SLACK.sectionText);
      expect(piece).toMatch(/^(&amp;)+$/);
    }
  });

  it("splits more than ten fields into several sections and cuts a long value", () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `Field ${i}`, value: i === 3 ? "x".repeat(5000) : `value ${i}` }));
    const blocks = replyBlocks(reply([{ kind: "fields", fields }]));
    expectValidMessage(blocks);
    expect(blocks.map((b) => (b.type === "section" ? b.fields?.length : 0))).toEqual([10, 10, 3]);
    expect(texts(blocks[0]!)[0]).toBe("*Field 0*\nvalue 0");
    expect(texts(blocks[0]!)[3]).toMatch(/^\*Field 3\*\nx+…$/);
  });

  it("renders a reply without blocks from its text", () => {
    expect(replyBlocks({ text: "Hello <b>", blocks: [], ephemeral: true })).toEqual([{ type: "section", text: { type: "mrkdwn", text: "Hello &lt;b&gt;" } }]);
  });

  it("cuts a header to 150 characters with an ellipsis", () => {
    const [header] = replyBlocks(reply([{ kind: "heading", text: "H".repeat(400) }]));
    expect(header).toEqual({ type: "header", text: { type: "plain_text", text: `${"H".repeat(149)}…`, emoji: true } });
  });
});

describe("replyBlocks: buttons", () => {
  it("puts 60 buttons in actions blocks of at most 25 with unique action_ids and the commands as values", () => {
    const buttons = Array.from({ length: 60 }, (_, i) => ({ label: `Accept #${i} ${"long label ".repeat(10)}`, command: `lead accept #${i}`, style: "primary" as const }));
    const blocks = replyBlocks(reply([{ kind: "buttons", buttons }]));
    expectValidMessage(blocks);
    expect(blocks.map((b) => (b.type === "actions" ? b.elements.length : -1))).toEqual([25, 25, 10]);
    const elements = blocks.flatMap((b) => (b.type === "actions" ? b.elements : []));
    expect(elements.map((e) => (e.type === "button" ? e.value : null))).toEqual(buttons.map((b) => b.command));
    expect(new Set(elements.map((e) => e.action_id)).size).toBe(60);
    expect(elements.every((e) => /^run:\d+$/.test(e.action_id!))).toBe(true);
    expect(elements[0]).toMatchObject({ type: "button", style: "primary", text: { type: "plain_text" } });
  });

  it("leaves out a button whose command is too long to send back whole", () => {
    const blocks = replyBlocks(reply([{ kind: "buttons", buttons: [{ label: "Too long", command: `lead accept ${"x".repeat(SLACK.buttonValue)}` }, { label: "Fine", command: "lead accept #1" }] }]));
    expect(blocks).toEqual([{ type: "actions", elements: [{ type: "button", action_id: "run:0", text: { type: "plain_text", text: "Fine", emoji: true }, value: "lead accept #1" }] }]);
  });

  it("keeps the buttons when long content has to be cut", () => {
    const items = Array.from({ length: 2000 }, (_, i) => `item ${i}`);
    const blocks = replyBlocks(reply([{ kind: "list", items }, { kind: "buttons", buttons: [{ label: "Advance", command: "account advance #42" }] }]));
    expectValidMessage(blocks);
    expect(blocks.some((b) => b.type === "actions")).toBe(true);
    expect(blocks.at(-1)!.type).toBe("context");
  });

  it("offers a form as a primary button that opens it", () => {
    const form = bantForm({ id: 42, company: "Acme" }, "en");
    const blocks = replyBlocks(reply([{ kind: "buttons", buttons: [{ label: "Show", command: "lead show #42" }] }, { kind: "form", form }]));
    expect(blocks[1]).toEqual({
      type: "actions",
      elements: [{ type: "button", action_id: "form:1", text: { type: "plain_text", text: form.title, emoji: true }, value: "lead qualify #42", style: "primary" }],
    });
  });

  it("renders the buttons of a real MQL card", () => {
    const buttons = moveButtons(playbook, account("MQL"), "en");
    const blocks = replyBlocks(reply([{ kind: "buttons", buttons }]));
    expectValidMessage(blocks);
    expect(blocks[0]!.type === "actions" && blocks[0]!.elements.map((e) => (e.type === "button" ? [e.text.text, e.value, e.style] : null))).toEqual([
      ["Accept", "lead accept #42", "primary"],
      ["Return to marketing", "lead return #42", "danger"],
      ["Unqualified", "lead unqualified #42", "danger"],
    ]);
  });
});

describe("replyBlocks: mrkdwn escaping", () => {
  const hostile = "<@U123> & <!channel> <https://evil.example|click> *ok*";
  const escaped = "&lt;@U123&gt; &amp; &lt;!channel&gt; &lt;https://evil.example|click&gt; *ok*";

  it("escapes &, < and > in text, lists and fields so mentions and links stay text", () => {
    const blocks = replyBlocks(reply([
      { kind: "text", text: hostile },
      { kind: "list", items: [hostile] },
      { kind: "fields", fields: [{ label: "<!here>", value: hostile }] },
    ]));
    expect(texts(blocks[0]!)).toEqual([escaped]);
    expect(texts(blocks[1]!)).toEqual([escaped]);
    expect(texts(blocks[2]!)).toEqual([`*&lt;!here&gt;*\n${escaped}`]);
    expect(blocks.flatMap(texts).join("")).not.toMatch(/[<>]/);
  });

  it("escapes already-escaped text again, so `&lt;` shows as typed", () => {
    expect(texts(replyBlocks(reply([{ kind: "text", text: "&lt;b&gt;" }]))[0]!)).toEqual(["&amp;lt;b&amp;gt;"]);
  });
});

describe("formView and viewValues: a form round-trips through a modal", () => {
  const form: Form = {
    id: "test",
    title: "Everything form",
    command: "lead test #42",
    submitLabel: "Send",
    fields: [
      { name: "reason", as: "positional", label: "Reason", kind: "select", required: true, options: [{ value: "budget", label: "No budget" }, { value: "timing", label: "Bad timing" }] },
      { name: "company", label: "Company", kind: "text", required: true, value: "Acme", hint: "As on the contract" },
      { name: "amount", label: "Amount", kind: "number", required: true, value: "50000" },
      { name: "due", as: "flag", label: "Due", kind: "date", required: false, value: "2026-12-01" },
      { name: "confirmed", label: "Confirmed?", kind: "boolean", required: true, value: "是" },
      { name: "confirm", as: "flag", label: "Checklist", kind: "checkboxes", required: false, value: "a", options: [{ value: "a", label: "A done" }, { value: "b", label: "B done" }, { value: "c", label: "C done" }] },
      { name: "note", as: "positional", label: "Note", kind: "text", required: false },
    ],
  };

  it("builds one input per field with the element each kind needs and the initial values", () => {
    const view = formView(form, '{"a":1}');
    expectValidView(view, form);
    expect(view).toMatchObject({
      callback_id: "form", private_metadata: '{"a":1}',
      title: { type: "plain_text", text: "Everything form" }, submit: { text: "Send" }, close: { text: "Cancel" },
    });
    const elements = (view.blocks as InputBlock[]).map((b) => b.element);
    expect(elements.map((e) => e.type)).toEqual(["static_select", "plain_text_input", "number_input", "datepicker", "radio_buttons", "checkboxes", "plain_text_input"]);
    expect(elements[1]).toMatchObject({ initial_value: "Acme" });
    expect(elements[2]).toMatchObject({ is_decimal_allowed: true, initial_value: "50000" });
    expect(elements[3]).toMatchObject({ initial_date: "2026-12-01" });
    expect(elements[4]).toMatchObject({ options: [{ value: "yes", text: { text: "Yes" } }, { value: "no", text: { text: "No" } }], initial_option: { value: "yes" } });
    expect(elements[5]).toMatchObject({ initial_options: [{ value: "a" }] });
    expect(elements[0]).not.toHaveProperty("initial_option");
    expect((view.blocks[1] as InputBlock).hint).toEqual({ type: "plain_text", text: "As on the contract", emoji: true });
  });

  it("reads Slack's state.values back into the command line the form runs", () => {
    const view = formView(form, "");
    const state = stateFor(view, { reason: "timing", company: "Acme Ltd", amount: "50000", due: "2026-12-01", confirmed: "yes", confirm: ["a", "b"] });
    const values = viewValues(state);
    expect(values).toEqual({ reason: "timing", company: "Acme Ltd", amount: "50000", due: "2026-12-01", confirmed: "yes", confirm: ["a", "b"] });
    expect(formToCommand(form, values)).toBe('lead test #42 timing company="Acme Ltd" amount=50000 --due 2026-12-01 confirmed=yes --confirm a,b');
  });

  it("skips what was left empty: null values, no selection, no checkboxes", () => {
    const values = viewValues({
      a: { value: { type: "plain_text_input", value: null } },
      b: { value: { type: "static_select", selected_option: null } },
      c: { value: { type: "checkboxes", selected_options: [] } },
      d: { value: { type: "datepicker", selected_date: null } },
      e: { value: { type: "plain_text_input", value: "" } },
      f: {},
    });
    expect(values).toEqual({});
  });

  it("speaks Chinese in a Chinese modal", () => {
    const view = formView(form, "", "zh-CN");
    expect(view.close!.text).toBe("取消");
    expect((view.blocks[4] as InputBlock).element).toMatchObject({ options: [{ text: { text: "是" } }, { text: { text: "否" } }] });
  });

  it("refuses private_metadata over Slack's limit", () => {
    expect(() => formView(form, "x".repeat(SLACK.privateMetadata + 1))).toThrow(RangeError);
    expect(() => formView(form, "x".repeat(SLACK.privateMetadata))).not.toThrow();
  });

  it("keeps every item of a checklist longer than ten as a multi-select, and cuts a long title", () => {
    const options = Array.from({ length: 14 }, (_, i) => ({ value: `m${i}`, label: `Marker ${i}` }));
    const long: Form = { ...form, title: "A very long form title that Slack would refuse", fields: [{ name: "confirm", as: "flag", label: "Checklist", kind: "checkboxes", required: false, options }] };
    const view = formView(long, "");
    expectValidView(view, long);
    expect(view.title.text).toBe("A very long form title …");
    expect((view.blocks[0] as InputBlock).element).toMatchObject({ type: "multi_static_select" });
    const values = viewValues(stateFor(view, { confirm: ["m0", "m13"] }));
    expect(formToCommand(long, values)).toBe("lead test #42 --confirm m0,m13");
  });
});

describe("formView: the real forms", () => {
  it("turns the BANT form of an account in SAL into a valid modal whose submission the parser reads", () => {
    const sal = account("SAL");
    const form = bantForm(sal, "en");
    const view = formView(form, JSON.stringify({ form: form.id }));
    expectValidView(view, form);
    expect(view.title.text).toBe("Qualify Acme (BANT)");
    const elements = (view.blocks as InputBlock[]).map((b) => b.element.type);
    expect(elements).toEqual(["number_input", "plain_text_input", "radio_buttons", "plain_text_input", "plain_text_input", "radio_buttons", "plain_text_input", "plain_text_input", "datepicker"]);
    expect((view.blocks[1] as InputBlock).element).toMatchObject({ initial_value: "CNY" });

    const answers = { budget: "50000", currency: "CNY", confirmed: "yes", dm: "Li Wei", role: "CTO", engaged: "no", need: "Bulk email", usecase: "Receipts", date: "2027-01-15" };
    const line = formToCommand(form, viewValues(stateFor(view, answers)));
    expect(line).toBe('lead qualify #42 budget=50000 currency=CNY confirmed=yes dm="Li Wei" role=CTO engaged=no need="Bulk email" usecase=Receipts date=2027-01-15');
    expect(parseCommand(line)).toEqual({ ok: true, value: { verb: "lead.qualify", account: { kind: "id", id: 42 }, answers } });
  });

  it("keeps a long company's BANT title within 24 characters, in both languages", () => {
    for (const locale of ["en", "zh-CN"] as const) {
      const form = bantForm(account("SAL", { company: "Shenzhen Very Long Company Name Ltd" }), locale);
      const view = formView(form, "", locale);
      expectValidView(view, form);
      expect(view.title.text.endsWith("…")).toBe(true);
    }
  });

  it("turns the SAL checklist into checkboxes whose submission the parser reads", () => {
    const form = checklistForm(playbook, account("SAL"), "account.advance", "SQL", "en")!;
    const view = formView(form, "");
    expectValidView(view, form);
    expect((view.blocks[0] as InputBlock).element).toMatchObject({ type: "checkboxes", options: [{ value: "deep-conversation" }] });
    const line = formToCommand(form, viewValues(stateFor(view, { confirm: ["deep-conversation"] })));
    expect(line).toBe("account advance #42 SQL --confirm deep-conversation");
    expect(parseCommand(line)).toMatchObject({ ok: true, value: { verb: "account.advance", to: "SQL", confirm: ["deep-conversation"], override: null } });
  });

  it("turns the reason form behind an MQL card's Return button into a select whose submission the parser reads", () => {
    const button = moveButtons(playbook, account("MQL"), "en").find((b) => b.command === "lead return #42")!;
    const form = button.form!;
    expect(form).toEqual(reasonForm(playbook, "returned", "lead return #42", "Return Acme to marketing — why?", "en"));
    const view = formView(form, "");
    expectValidView(view, form);
    const select = (view.blocks[0] as InputBlock).element as { type: string; options: PlainTextOption[] };
    expect(select.type).toBe("static_select");
    expect(select.options.map((o) => o.value)).toEqual(playbook.reasons.returned!.map((r) => r.key));
    const reason = playbook.reasons.returned![0]!.key;
    const line = formToCommand(form, viewValues(stateFor(view, { reason, note: "called twice" })));
    expect(line).toBe(`lead return #42 ${reason} "called twice"`);
    expect(parseCommand(line)).toMatchObject({ ok: true, value: { verb: "lead.return", account: { kind: "id", id: 42 } } });
  });
});

describe("fieldErrors and formOf", () => {
  it("picks the errors of the BANT fields a refused submission carries", () => {
    const form = bantForm(account("SAL"), "en", { budget: "lots" }, { budget: "invalid-amount", date: "required" });
    const refused: Reply = { text: "⚠️ Please fix: …", blocks: [{ kind: "text", text: "⚠️ Please fix: …" }, { kind: "form", form }], ephemeral: true, errorCode: "invalid-form" };
    expect(formOf(refused)).toBe(form);
    expect(fieldErrors(refused)).toEqual({ budget: "a positive amount", date: "required" });
    expect(fieldErrors({ ...refused, blocks: [{ kind: "form", form: bantForm(account("SAL"), "zh-CN", {}, { need: "required" }) }] })).toEqual({ need: "必填" });
  });

  it("shows a form's errors as hints when it arrives with them", () => {
    const form = bantForm(account("SAL"), "en", { budget: "lots" }, { budget: "invalid-amount" });
    expect((formView(form, "").blocks[0] as InputBlock).hint?.text).toBe("⚠️ a positive amount");
  });

  it("gives {} for a reply without a form, or an error whose form has no field errors", () => {
    expect(fieldErrors(reply([{ kind: "text", text: "Done" }]))).toEqual({});
    expect(formOf(reply([{ kind: "text", text: "Done" }]))).toBeNull();
    const form = reasonForm(playbook, "returned", "lead return #42", "Return", "en");
    expect(fieldErrors({ text: "⚠️ Give a reason", blocks: [{ kind: "form", form }], ephemeral: true, errorCode: "reason-required" })).toEqual({});
  });

  it("cuts a long field error to what fits under the field", () => {
    const form: Form = { id: "x", title: "X", command: "x", submitLabel: "Go", fields: [{ name: "a", label: "A", kind: "text", required: true, error: "e".repeat(500) }] };
    expect(fieldErrors(reply([{ kind: "form", form }])).a).toHaveLength(SLACK.viewErrorText);
  });
});
