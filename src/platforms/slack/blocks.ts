import type {
  ActionsBlock, Button as SlackButton, ContextBlock, InputBlock, InputBlockElement, KnownBlock, ModalView, PlainTextElement,
  PlainTextOption,
} from "@slack/types";
import { formOf, type Block, type Button, type Form, type FormField, type Locale, type Reply } from "../../commands/reply.js";
import { parseDay, parseYesNo } from "../../domain/values.js";
import { SLACK } from "../limits.js";

// Block Kit renderers: pure functions from the platform-neutral reply model to Slack payloads. Every
// size limit is honoured here, so nothing a reply holds can make Slack refuse a message or a modal.

/** The action_id of every input element in a form modal; the block_id names the field. */
export const FORM_ACTION_ID = "value";

/** The callback_id of every form modal. */
export const FORM_CALLBACK_ID = "form";

const ELLIPSIS = "…";

/** Escapes the three characters Slack's mrkdwn treats as markup, so `<!channel>` or `<@U1>` stay text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const ENTITIES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };

/**
 * Text as the person typed it: Slack sends `&`, `<` and `>` escaped (`Johnson &amp; Johnson`) in slash
 * commands and typed input, so the adapter undoes that, once, in one pass (`&amp;lt;` stays `&lt;`).
 * Mentions arrive unescaped (`<@U123|name>`) and pass through untouched.
 */
export function unescapeSlack(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (entity) => ENTITIES[entity]!);
}

/**
 * A reply's text as a message's top-level `text`, which Slack reads as mrkdwn and turns into the push
 * notification: escaped like every block, so a company named `<!channel>` notifies nobody.
 */
export function messageText(reply: Pick<Reply, "text">): string {
  return escapeMrkdwn(reply.text);
}

/** Cuts `text` to at most `max` UTF-16 units, ending with … when cut; never splits a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = "";
  for (const char of text) {
    if (out.length + char.length > max - ELLIPSIS.length) break;
    out += char;
  }
  return out + ELLIPSIS;
}

/** Escapes `raw` and cuts the result to `max`, never inside an entity such as `&amp;`. */
function clipEscaped(raw: string, max: number): string {
  const whole = escapeMrkdwn(raw);
  if (whole.length <= max) return whole;
  let out = "";
  for (const char of raw) {
    const piece = escapeMrkdwn(char);
    if (out.length + piece.length > max - ELLIPSIS.length) break;
    out += piece;
  }
  return out + ELLIPSIS;
}

/** Escaped pieces of one overlong line, each at most `max` long. */
function splitEscaped(raw: string, max: number): string[] {
  const pieces: string[] = [];
  let current = "";
  for (const char of raw) {
    const piece = escapeMrkdwn(char);
    if (current.length + piece.length > max) {
      pieces.push(current);
      current = "";
    }
    current += piece;
  }
  if (current) pieces.push(current);
  return pieces;
}

/** Escaped lines packed into chunks of at most `max`, broken between lines; `starts` counts the lines begun in each. */
function chunkLines(lines: readonly string[], max: number): { text: string; starts: number }[] {
  const chunks: { text: string; starts: number }[] = [];
  let current: { text: string; starts: number } | null = null;
  for (const line of lines) {
    const escaped = escapeMrkdwn(line);
    if (current && current.text.length + 1 + escaped.length <= max) {
      current = { text: `${current.text}\n${escaped}`, starts: current.starts + 1 };
      continue;
    }
    if (current) chunks.push(current);
    if (escaped.length <= max) {
      current = { text: escaped, starts: 1 };
      continue;
    }
    const pieces = splitEscaped(line, max);
    pieces.slice(0, -1).forEach((text, i) => chunks.push({ text, starts: i === 0 ? 1 : 0 }));
    current = { text: pieces.at(-1) ?? "", starts: pieces.length === 1 ? 1 : 0 };
  }
  if (current) chunks.push(current);
  // Slack refuses a section whose text is empty or blank.
  return chunks.filter((chunk) => chunk.text.trim() !== "");
}

function plain(text: string): PlainTextElement {
  return { type: "plain_text", text, emoji: true };
}

function zh(locale: Locale): boolean {
  return locale === "zh-CN";
}

function moreText(locale: Locale, n: number): string {
  return zh(locale) ? `…还有 ${n} 条` : `…and ${n} more`;
}

function cutText(locale: Locale, n: number): string {
  return zh(locale) ? `…还有 ${n} 条,请用 /funnel 或 /lead show 查看` : `…and ${n} more, see /funnel or /lead show`;
}

function context(text: string): ContextBlock {
  return { type: "context", elements: [{ type: "mrkdwn", text }] };
}

/** A rendered block with what dropping it hides (`weight`, in lines or items) and its text length. */
interface Rendered {
  readonly block: KnownBlock;
  readonly weight: number;
  readonly chars: number;
}

function textLength(block: KnownBlock): number {
  switch (block.type) {
    case "header":
      return block.text.text.length;
    case "section":
      return (block.text?.text.length ?? 0) + (block.fields ?? []).reduce((n, f) => n + f.text.length, 0);
    case "context":
      return block.elements.reduce((n, e) => n + ("text" in e && typeof e.text === "string" ? e.text.length : 0), 0);
    case "actions":
      return block.elements.reduce((n, e) => n + (e.type === "button" ? e.text.text.length : 0), 0);
    default:
      return 0;
  }
}

function rendered(block: KnownBlock, weight: number): Rendered {
  return { block, weight, chars: textLength(block) };
}

function sections(lines: readonly string[]): Rendered[] {
  return chunkLines(lines, SLACK.sectionText).map((chunk) => rendered({ type: "section", text: { type: "mrkdwn", text: chunk.text } }, chunk.starts));
}

function buttonElement(button: Button, actionId: string): SlackButton {
  return {
    type: "button",
    action_id: actionId,
    text: plain(clip(button.label.trim() || button.command, SLACK.buttonText)),
    value: button.command,
    ...(button.style ? { style: button.style } : {}),
  };
}

function renderBlock(block: Block, locale: Locale, next: () => number): Rendered[] {
  switch (block.kind) {
    case "heading": {
      const text = block.text.trim();
      return text ? [rendered({ type: "header", text: plain(clip(text, SLACK.headerText)) }, 1)] : [];
    }
    case "text":
      return sections(block.text.split("\n"));
    case "fields": {
      const out: Rendered[] = [];
      for (let i = 0; i < block.fields.length; i += SLACK.sectionFields) {
        const fields = block.fields.slice(i, i + SLACK.sectionFields).map((field) => {
          const label = `*${clipEscaped(field.label, SLACK.headerText)}*\n`;
          return { type: "mrkdwn" as const, text: label + clipEscaped(field.value || "—", SLACK.sectionFieldText - label.length) };
        });
        out.push(rendered({ type: "section", fields }, fields.length));
      }
      return out;
    }
    case "list": {
      const more = block.more ?? 0;
      return [...sections(block.items), ...(more > 0 ? [rendered(context(moreText(locale, more)), more)] : [])];
    }
    case "buttons": {
      // A command too long for a button's value cannot be sent back whole, so that button is left out.
      const usable = block.buttons.filter((b) => b.command.length > 0 && b.command.length <= SLACK.buttonValue);
      const out: Rendered[] = [];
      for (let i = 0; i < usable.length; i += SLACK.actionsElements) {
        const elements = usable.slice(i, i + SLACK.actionsElements).map((b) => buttonElement(b, `run:${next()}`));
        out.push(rendered({ type: "actions", elements } satisfies ActionsBlock, elements.length));
      }
      return out;
    }
    case "form": {
      // Forms open as modals from a button: the listener runs form.command and opens the form it answers with.
      const { form } = block;
      if (!form.command || form.command.length > SLACK.buttonValue) return [];
      const button = buttonElement({ label: form.title, command: form.command, style: "primary" }, `form:${next()}`);
      return [rendered({ type: "actions", elements: [button] }, 1)];
    }
    case "divider":
      return [rendered({ type: "divider" }, 0)];
    case "rows": {
      const more = block.more ?? 0;
      const out = block.rows.map((row) => {
        const options = row.actions.filter((a) => a.command && a.command.length <= SLACK.optionValue).slice(0, SLACK.overflowOptions).map((a) => option(a.command, a.label));
        const text = { type: "mrkdwn" as const, text: clipEscaped(row.text, SLACK.sectionText) };
        return rendered(options.length ? { type: "section", text, accessory: { type: "overflow", action_id: `run:${next()}`, options } } : { type: "section", text }, 1);
      });
      return [...out, ...(more > 0 ? [rendered(context(moreText(locale, more)), more)] : [])];
    }
    case "image":
      // Uploaded as a file by delivery (files.getUploadURLExternal → completeUploadExternal), not a block.
      return [];
  }
}

/**
 * A reply as Block Kit blocks for a message (or, with `max` = SLACK.modalBlocks, the App Home). Never more than
 * `max` blocks nor `textBudget` characters of text: when cut, buttons are kept first, content is kept in order
 * up to the first block that does not fit, and the last block says how many lines or items were left out.
 */
export function replyBlocks(reply: Reply, max: number = SLACK.messageBlocks, locale: Locale = "en", textBudget: number = SLACK.messageText): KnownBlock[] {
  if (max <= 0) return [];
  let counter = 0;
  const next = () => counter++;
  const source: readonly Block[] = reply.blocks.length ? reply.blocks : [{ kind: "text", text: reply.text }];
  const all = source.flatMap((block) => renderBlock(block, locale, next));
  if (all.length <= max && all.reduce((n, r) => n + r.chars, 0) <= textBudget) return all.map((r) => r.block);

  let slots = max - 1;
  let chars = textBudget - cutText(locale, Number.MAX_SAFE_INTEGER).length;
  const kept = new Set<number>();
  const take = (r: Rendered, i: number) => {
    if (slots <= 0 || r.chars > chars) return false;
    kept.add(i);
    slots -= 1;
    chars -= r.chars;
    return true;
  };
  // Buttons are what people act on: keep them before the content that pushes them out.
  for (const [i, r] of all.entries()) if (r.block.type === "actions") take(r, i);
  for (const [i, r] of all.entries()) {
    if (r.block.type === "actions") continue;
    if (!take(r, i)) break;
  }
  const hidden = all.reduce((n, r, i) => (kept.has(i) ? n : n + r.weight), 0);
  return [...all.filter((_, i) => kept.has(i)).map((r) => r.block), context(cutText(locale, Math.max(1, hidden)))];
}

function option(value: string, label: string): PlainTextOption {
  return { text: plain(clip(label.trim() || value, SLACK.optionText)), value };
}

function usableOptions(field: FormField, limit: number): PlainTextOption[] {
  // An option value is sent back verbatim, so one too long to carry is left out rather than cut.
  return (field.options ?? [])
    .filter((o) => o.value.length > 0 && o.value.length <= SLACK.optionValue)
    .slice(0, limit)
    .map((o) => option(o.value, o.label));
}

function textInput(field: FormField): InputBlockElement {
  const value = field.value ?? "";
  return { type: "plain_text_input", action_id: FORM_ACTION_ID, ...(value ? { initial_value: value.slice(0, SLACK.textInput) } : {}) };
}

function inputElement(field: FormField, locale: Locale): InputBlockElement {
  const value = field.value?.trim() ?? "";
  switch (field.kind) {
    case "number":
      return { type: "number_input", action_id: FORM_ACTION_ID, is_decimal_allowed: true, ...(/^-?\d+(\.\d+)?$/.test(value) ? { initial_value: value } : {}) };
    case "date": {
      const day = value ? parseDay(value) : null;
      return { type: "datepicker", action_id: FORM_ACTION_ID, ...(day ? { initial_date: day } : {}) };
    }
    case "select": {
      const options = usableOptions(field, SLACK.selectOptions);
      if (options.length === 0) return textInput(field);
      const initial = options.find((o) => o.value === value);
      return { type: "static_select", action_id: FORM_ACTION_ID, options, ...(initial ? { initial_option: initial } : {}) };
    }
    case "boolean": {
      const options = [option("yes", zh(locale) ? "是" : "Yes"), option("no", zh(locale) ? "否" : "No")];
      const answer = value ? parseYesNo(value) : null;
      return { type: "radio_buttons", action_id: FORM_ACTION_ID, options, ...(answer === null ? {} : { initial_option: options[answer ? 0 : 1]! }) };
    }
    case "checkboxes": {
      const chosen = new Set(value.split(",").map((v) => v.trim()).filter(Boolean));
      // Checkboxes hold ten options; a longer checklist becomes a multi-select so no item is lost.
      const many = (field.options?.length ?? 0) > SLACK.checkboxOptions;
      const options = usableOptions(field, many ? SLACK.selectOptions : SLACK.checkboxOptions);
      if (options.length === 0) return textInput(field);
      const initial = options.filter((o) => chosen.has(o.value ?? ""));
      const initialOptions = initial.length ? { initial_options: initial } : {};
      return many
        ? { type: "multi_static_select", action_id: FORM_ACTION_ID, options, ...initialOptions }
        : { type: "checkboxes", action_id: FORM_ACTION_ID, options, ...initialOptions };
    }
    case "text":
      return textInput(field);
  }
}

function inputBlock(field: FormField, locale: Locale): InputBlock {
  // Slack shows field errors only in answer to a submission; a form that arrives with errors shows them as hints.
  const hint = [field.error ? `⚠️ ${field.error}` : "", field.hint ?? ""].filter(Boolean).join(" — ");
  return {
    type: "input",
    block_id: field.name,
    label: plain(clip(field.label.trim() || field.name, SLACK.inputLabel)),
    optional: !field.required,
    element: inputElement(field, locale),
    ...(hint ? { hint: plain(clip(hint, SLACK.inputHint)) } : {}),
  };
}

/**
 * A form as a Slack modal: one input block per field (block_id = field name, action_id = FORM_ACTION_ID).
 * Throws a RangeError when `privateMetadata` is over Slack's limit: callers keep it to a small reference.
 */
export function formView(form: Form, privateMetadata: string, locale: Locale = "en"): ModalView {
  if (privateMetadata.length > SLACK.privateMetadata) {
    throw new RangeError(`private_metadata is ${privateMetadata.length} characters; Slack takes at most ${SLACK.privateMetadata}`);
  }
  return {
    type: "modal",
    callback_id: FORM_CALLBACK_ID,
    title: plain(clip(form.title.trim() || "funnelbot", SLACK.viewTitle)),
    submit: plain(clip(form.submitLabel.trim() || (zh(locale) ? "提交" : "Submit"), SLACK.viewSubmit)),
    close: plain(zh(locale) ? "取消" : "Cancel"),
    private_metadata: privateMetadata,
    blocks: form.fields.slice(0, SLACK.modalBlocks).map((field) => inputBlock(field, locale)),
  };
}

/** One element's state in a view_submission, as Slack sends it (Bolt's ViewStateValue fits this shape). */
export interface ViewElementState {
  readonly type: string;
  readonly value?: string | null;
  readonly selected_option?: { readonly value: string } | null;
  readonly selected_options?: readonly { readonly value: string }[] | null;
  readonly selected_date?: string | null;
}

/** A view's `state.values`: block_id → action_id → element state. */
export type ViewStateValues = Readonly<Record<string, Readonly<Record<string, ViewElementState>>>>;

function elementValue(state: ViewElementState): string | string[] | null {
  if (Array.isArray(state.selected_options)) {
    const values = state.selected_options.map((o) => o.value);
    return values.length ? values : null;
  }
  if (state.selected_option) return state.selected_option.value;
  if (state.selected_date) return state.selected_date;
  return state.value ? unescapeSlack(state.value) : null;
}

/** The submitted values by block_id (= field name), ready for `formToCommand`; unanswered fields are left out. */
export function viewValues(state: ViewStateValues): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const [blockId, actions] of Object.entries(state)) {
    const own = actions[FORM_ACTION_ID];
    const states = own ? [own] : Object.values(actions);
    for (const element of states) {
      const value = elementValue(element);
      if (value === null) continue;
      values[blockId] = value;
      break;
    }
  }
  return values;
}

/**
 * The field errors of the reply's form, by block_id, for a view_submission's `response_action: "errors"`;
 * {} when the reply has no form or its form has no field errors (the caller then shows the reply's text).
 */
export function fieldErrors(reply: Reply): Record<string, string> {
  const form = formOf(reply);
  const errors: Record<string, string> = {};
  for (const field of form?.fields ?? []) if (field.error) errors[field.name] = clip(field.error, SLACK.viewErrorText);
  return errors;
}
