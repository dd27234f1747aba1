import type { Block, Form, FormField, Locale, Reply } from "../../commands/reply.js";

// Playground renderers: pure functions from the platform-neutral reply model to HTML fragments, as
// blocks.ts renders it to Block Kit and cards.ts to WeCom. Everything a reply holds is escaped here, so
// a company called `<script>` is shown, never run. The page's script only wires buttons and forms up.

/** The command a form's submission runs and how each field joins it: what the page sends back. */
export interface FormMeta {
  readonly command: string;
  readonly fields: readonly { readonly name: string; readonly as: "pair" | "positional" | "flag" }[];
}

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function zh(locale: Locale): boolean {
  return locale === "zh-CN";
}

/** Slack-style mrkdwn the replies use (`*bold*`, `` `code` ``), on escaped text; line breaks kept. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/(^|[\s(（])\*([^*\n]+)\*(?=$|[\s.,:;!?)）。，：])/g, "$1<strong>$2</strong>")
    .replace(/\n/g, "<br>");
}

function button(label: string, command: string, style?: string): string {
  const cls = ["btn", style].filter(Boolean).join(" ");
  return `<button type="button" class="${cls}" data-command="${escapeHtml(command)}">${escapeHtml(label.trim() || command)}</button>`;
}

function blockHtml(block: Block, locale: Locale): string {
  switch (block.kind) {
    case "heading":
      return `<h3>${escapeHtml(block.text)}</h3>`;
    case "text":
      return `<p>${inline(block.text)}</p>`;
    case "fields":
      return `<dl class="fields">${block.fields.map((f) => `<div><dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value || "—")}</dd></div>`).join("")}</dl>`;
    case "list": {
      const more = block.more ? `<li class="more">${escapeHtml(zh(locale) ? `…还有 ${block.more} 条` : `…and ${block.more} more`)}</li>` : "";
      return `<ul>${block.items.map((item) => `<li>${inline(item)}</li>`).join("")}${more}</ul>`;
    }
    case "buttons":
      return `<div class="buttons">${block.buttons.filter((b) => b.command).map((b) => button(b.label, b.command, b.style)).join("")}</div>`;
    case "form":
      // As in Slack: a button that runs the form's command, whose answer opens the form.
      return `<div class="buttons">${button(block.form.title, block.form.command, "primary")}</div>`;
    case "divider":
      return "<hr>";
    case "rows": {
      const more = block.more ? `<li class="more">${escapeHtml(zh(locale) ? `…还有 ${block.more} 条` : `…and ${block.more} more`)}</li>` : "";
      const row = (r: (typeof block.rows)[number]) => `<li>${inline(r.text)} <span class="buttons">${r.actions.filter((a) => a.command).map((a) => button(a.label, a.command, a.style)).join("")}</span></li>`;
      return `<ul class="rows">${block.rows.map(row).join("")}${more}</ul>`;
    }
    case "image":
      // The chart inline, as a data URL: the playground is local, and the reply already carries the bytes.
      return `<figure class="chart"><img src="data:image/png;base64,${block.png.replace(/[^A-Za-z0-9+/=]/g, "")}" alt="${escapeHtml(block.alt)}"></figure>`;
  }
}

/** A reply as an HTML fragment; with no blocks, its text. */
export function replyHtml(reply: Reply, locale: Locale): string {
  const blocks: readonly Block[] = reply.blocks.length ? reply.blocks : [{ kind: "text", text: reply.text }];
  return blocks.map((block) => blockHtml(block, locale)).join("");
}

function fieldInput(field: FormField, locale: Locale): string {
  const name = escapeHtml(field.name);
  const value = field.value?.trim() ?? "";
  const required = field.required ? " required" : "";
  switch (field.kind) {
    case "select": {
      const options = (field.options ?? []).map((o) => `<option value="${escapeHtml(o.value)}"${o.value === value ? " selected" : ""}>${escapeHtml(o.label)}</option>`);
      return `<select name="${name}"${required}><option value="">${zh(locale) ? "请选择…" : "Choose…"}</option>${options.join("")}</select>`;
    }
    case "boolean": {
      const options = field.options ?? [{ value: "yes", label: zh(locale) ? "是" : "Yes" }, { value: "no", label: zh(locale) ? "否" : "No" }];
      return `<span class="choices">${options.map((o) => `<label><input type="radio" name="${name}" value="${escapeHtml(o.value)}"${o.value === value ? " checked" : ""}${required}> ${escapeHtml(o.label)}</label>`).join("")}</span>`;
    }
    case "checkboxes": {
      const chosen = new Set(value.split(",").map((v) => v.trim()).filter(Boolean));
      return `<span class="choices column">${(field.options ?? []).map((o) => `<label><input type="checkbox" name="${name}" value="${escapeHtml(o.value)}"${chosen.has(o.value) ? " checked" : ""}> ${escapeHtml(o.label)}</label>`).join("")}</span>`;
    }
    case "number":
      return `<input type="text" inputmode="decimal" name="${name}" value="${escapeHtml(value)}"${required}>`;
    case "date":
      return `<input type="date" name="${name}" value="${/^\d{4}-\d{2}-\d{2}$/.test(value) ? value : ""}"${required}>`;
    case "text":
      return `<input type="text" name="${name}" value="${escapeHtml(value)}" maxlength="500"${required}>`;
  }
}

/**
 * A form as the playground's dialog (a Slack modal's counterpart): one labelled input per field, with
 * the errors of a refused submission beside their fields. `data-meta` carries `FormMeta` back.
 */
export function formHtml(form: Form, locale: Locale, problem?: string): string {
  const meta: FormMeta = { command: form.command, fields: form.fields.map((f) => ({ name: f.name, as: f.as ?? "pair" })) };
  const fields = form.fields.map((field) => {
    const hint = field.hint ? `<small class="hint">${escapeHtml(field.hint)}</small>` : "";
    const error = field.error ? `<small class="error">⚠️ ${escapeHtml(field.error)}</small>` : "";
    const star = field.required ? ' <span class="required">*</span>' : "";
    return `<div class="field${field.error ? " invalid" : ""}" data-field="${escapeHtml(field.name)}"><label class="label">${escapeHtml(field.label)}${star}</label>${fieldInput(field, locale)}${hint}${error}</div>`;
  });
  return [
    `<form class="form" method="dialog" data-meta="${escapeHtml(JSON.stringify(meta))}">`,
    `<h2>${escapeHtml(form.title)}</h2>`,
    `<p class="problem"${problem ? "" : " hidden"}>${problem ? inline(problem) : ""}</p>`,
    ...fields,
    `<div class="actions"><button type="button" class="btn" data-cancel>${zh(locale) ? "取消" : "Cancel"}</button>`,
    `<button type="submit" class="btn primary">${escapeHtml(form.submitLabel || (zh(locale) ? "提交" : "Submit"))}</button></div>`,
    "</form>",
  ].join("");
}

