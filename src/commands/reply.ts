/** A button: pressing it runs `command` (a line of the command language) as the person who pressed it, or opens `form`. */
export interface Button {
  readonly label: string;
  readonly command: string;
  readonly style?: "primary" | "danger";
  readonly form?: Form;
}

/** One field of a form. How its value joins the form's command is set by `as`. */
export interface FormField {
  readonly name: string;
  /** `pair` (default): `name="value"`; `positional`: the bare value; `flag`: `--name value`. */
  readonly as?: "pair" | "positional" | "flag";
  readonly label: string;
  readonly kind: "text" | "number" | "date" | "select" | "boolean" | "checkboxes";
  readonly required: boolean;
  readonly options?: readonly { readonly value: string; readonly label: string }[];
  readonly value?: string;
  /** Shown beside the field when a submission was refused. */
  readonly error?: string;
  readonly hint?: string;
}

/** A form (Slack modal, WeCom text form, playground dialog); submitting it runs `command` plus the values. */
export interface Form {
  readonly id: string;
  readonly title: string;
  readonly command: string;
  readonly submitLabel: string;
  readonly fields: readonly FormField[];
}

/** One building block of a reply; platforms render each kind their own way. */
export type Block =
  | { readonly kind: "heading"; readonly text: string }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "fields"; readonly fields: readonly { readonly label: string; readonly value: string }[] }
  | { readonly kind: "list"; readonly items: readonly string[]; readonly more?: number }
  | { readonly kind: "buttons"; readonly buttons: readonly Button[] }
  | { readonly kind: "form"; readonly form: Form }
  | { readonly kind: "divider" }
  /**
   * A list whose every row carries its own actions (a digest's stalled accounts): Slack shows them as an
   * overflow menu beside the row, which keeps a long list within the message's block limit.
   */
  | { readonly kind: "rows"; readonly rows: readonly { readonly text: string; readonly actions: readonly Button[] }[]; readonly more?: number }
  /**
   * A picture (the team's chart): PNG bytes as base64, carried in the reply itself so an outbox row holds
   * everything a retry needs (~100 kB). `alt` is what surfaces without images show; `name` the file name.
   */
  | { readonly kind: "image"; readonly png: string; readonly alt: string; readonly name: string };

/** What the bot says, independent of the platform that shows it. */
export interface Reply {
  /** A plain-text version for notifications, logs, the CLI and platforms without rich layout. */
  readonly text: string;
  readonly blocks: readonly Block[];
  /** An error or a private answer: shown to the person who acted only. */
  readonly ephemeral: boolean;
  /** Set on refusals, so the CLI exits non-zero and tests can assert on the reason. */
  readonly errorCode?: string;
  /** The facts behind the reply as data, for scripts (`funnelbot … --json`): the account, for `lead show`. */
  readonly data?: unknown;
}

/**
 * Where an outgoing message goes. `cards` is every copy of the account's card posted so far: a move
 * updates them in place to show what happened, with no buttons left.
 */
export type Destination =
  | { readonly kind: "member"; readonly memberId: number }
  | { readonly kind: "team"; readonly teamKey: string }
  | { readonly kind: "cards"; readonly accountId: number }
  /** Someone who is not a member, by their id on one platform: the answer to their request for access. */
  | { readonly kind: "person"; readonly platform: "slack" | "wecom"; readonly externalId: string }
  /**
   * A late answer to a request that outlived its platform's deadline (Slack's response_url, say), or a picture
   * back to where it was asked (Slack: `<channel> <user>`; WeCom: the asker's UserID).
   */
  | { readonly kind: "response"; readonly platform: "slack" | "wecom"; readonly address: string };

/** What became of a card's account, for the platform to render in each card's own language. */
export interface CardOutcome {
  readonly accountId: number;
  readonly company: string;
  readonly fromStage: string;
  readonly toStage: string;
  readonly actorName: string;
  /** ISO instant of the move. */
  readonly at: string;
  readonly reason: { readonly code: string | null; readonly text: string | null } | null;
}

/** A message for the outbox: a reply to someone other than the person who acted. */
export interface OutgoingMessage {
  readonly to: Destination;
  readonly reply: Reply;
  /** Marks the message as the account's card, so a later move can update it in place. */
  readonly card?: { readonly accountId: number; readonly kind: string };
  /** For `cards` destinations: the facts each posted copy is re-rendered from. */
  readonly outcome?: CardOutcome;
}

/** The languages the bot speaks. */
export type Locale = "en" | "zh-CN";

function quote(value: string): string {
  return /^[^\s"“”'=]+$/.test(value) ? value : `"${value.replace(/["“”]/g, "'")}"`;
}

/** The command line a submitted form runs: its command followed by each filled field, as the field says. */
export function formToCommand(form: Form, values: Readonly<Record<string, string | readonly string[]>>): string {
  const parts = [form.command];
  for (const field of form.fields) {
    const raw = values[field.name];
    const value = (Array.isArray(raw) ? raw.join(",") : String(raw ?? "")).replace(/[\r\n]+/g, " ").trim();
    if (!value) continue;
    if (field.as === "positional") parts.push(quote(value));
    else if (field.as === "flag") parts.push(`--${field.name}`, quote(value));
    else parts.push(`${field.name}=${quote(value)}`);
  }
  return parts.join(" ");
}

/** The form a reply asks the person to fill in (BANT, a reason, a checklist), if any. */
export function formOf(reply: Reply): Form | null {
  for (const block of reply.blocks) if (block.kind === "form") return block.form;
  return null;
}
