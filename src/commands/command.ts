/** How a person names an account: `#42` or `42` by id, or a unique prefix of its name or domain. */
export type AccountRef = { kind: "id"; id: number } | { kind: "name"; text: string };

/** A reason as typed: a key or number from the playbook's list, optionally followed by free text. */
export interface ReasonInput {
  readonly text: string;
}

/** Fields of `/lead new`. */
export interface NewLeadInput {
  readonly company: string;
  readonly email: string | null;
  readonly domain: string | null;
  readonly source: string | null;
  readonly amount: number | null;
  readonly region: string | null;
  readonly industry: string | null;
  /** Create it even though an account of the same name exists (`--new`). */
  readonly force?: boolean;
}

/**
 * A person named in a command, as the platform that carried it knows them. Each platform reads its own way of
 * naming people (a Slack mention, a WeCom UserID) into one of these before the command reaches a service.
 */
export type MemberRef =
  | { readonly kind: "handle"; readonly handle: string }
  | { readonly kind: "slack"; readonly userId: string; readonly name: string | null }
  | { readonly kind: "wecom"; readonly userId: string };

/** Which help page was asked for. */
export type HelpTopic = "lead" | "account" | "funnel";

/** Every command of the one command language, as the parser yields it. */
export type Command =
  | { verb: "help"; topic: HelpTopic | null }
  | { verb: "lead.new"; lead: NewLeadInput }
  | { verb: "lead.handoff"; account: AccountRef; confirm: readonly string[] | "all" | null; override: string | null }
  | { verb: "lead.accept"; account: AccountRef }
  | { verb: "lead.return"; account: AccountRef; reason: ReasonInput }
  | { verb: "lead.unqualified"; account: AccountRef; reason: ReasonInput }
  /** Without answers it opens the BANT form; with `key=value` answers it submits them. */
  | { verb: "lead.qualify"; account: AccountRef; answers: Readonly<Record<string, string>> | null }
  | { verb: "lead.show"; account: AccountRef }
  /** The same view as `lead.show`, named for customers. */
  | { verb: "account.show"; account: AccountRef }
  | { verb: "lead.mine" }
  | { verb: "lead.lost"; account: AccountRef; reason: ReasonInput }
  | { verb: "lead.recycle"; account: AccountRef }
  /** A rep takes an unowned MQL from the public pool (公海). */
  | { verb: "lead.claim"; account: AccountRef }
  /** The unowned MQLs waiting in the public pool. */
  | { verb: "lead.pool" }
  /** How to bring leads in: the webhooks and the CSV import, which runs on the server. */
  | { verb: "lead.import" }
  | { verb: "account.validate"; account: AccountRef; outcome: "start" | "pass" | "fail" }
  | { verb: "account.sign"; account: AccountRef; amount: number | null }
  | {
      verb: "account.advance";
      account: AccountRef;
      to: string | null;
      /** Checklist markers confirmed (`all` for every one), or null when none were given. */
      confirm: readonly string[] | "all" | null;
      /** A manager's reason for skipping the checklist. */
      override: string | null;
    }
  | { verb: "account.churn"; account: AccountRef; reason: ReasonInput }
  | { verb: "account.recall"; account: AccountRef }
  | { verb: "account.archive"; account: AccountRef }
  | { verb: "account.renew"; account: AccountRef; amount: number; kind: "renewal" | "expansion" }
  /** Without a member it opens the reassign form (a member picker). */
  | { verb: "account.reassign"; account: AccountRef; member: string | null }
  | { verb: "account.nudge"; account: AccountRef }
  /** Without a date and note it opens the next-step form. */
  | { verb: "account.next"; account: AccountRef; date: string; note: string }
  | { verb: "account.next"; account: AccountRef; date: null; note: null }
  | { verb: "account.tasks" }
  | { verb: "account.done"; task: number }
  /** `window` as typed (`30d`, `2026-Q3`); the service reads it against the clock. */
  | { verb: "funnel.show"; team: string | null; window: string | null }
  /** Marketing spend on a source channel for a month (`YYYY-MM`, checked by the service against today). */
  | { verb: "funnel.spend"; channel: string; month: string; amount: number }
  /** The team's chart on demand, over the last `weeks` weeks. */
  | { verb: "funnel.chart"; team: string | null; weeks: number | null }
  /** An admin or manager adds a person: a Slack mention `<@U123|name>`, or a handle elsewhere. */
  | { verb: "funnel.member"; who: string; team: string; role: "rep" | "manager" | "admin" }
  | { verb: "funnel.digest"; team: string | null }
  /** A manager or admin answers a request for access: grant it (the person joins `team` as `role`) or ignore it. */
  | { verb: "funnel.access"; decision: "grant"; request: number; team: string; role: "rep" | "manager" | "admin" }
  | { verb: "funnel.access"; decision: "ignore"; request: number };

/** The verb names of all commands. */
export type CommandVerb = Command["verb"];
