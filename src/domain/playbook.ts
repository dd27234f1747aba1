import { z } from "zod";

/** A stage code: upper-case letters, digits and underscores (`MQL`, `P0`, `CHURNED`). */
export const StageCodeSchema = z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, "stage codes are upper-case, e.g. MQL or P0");
/** A stage code as declared by a playbook. */
export type StageCode = z.infer<typeof StageCodeSchema>;

/** Text shown to people, in both languages the bot speaks. */
export const LabelSchema = z.object({ en: z.string().min(1), zh: z.string().min(1) });
/** Text shown to people, in both languages the bot speaks. */
export type Label = z.infer<typeof LabelSchema>;

const KeySchema = z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, "keys are lower-case kebab-case");

/** How long an account may stay in a stage before it counts as stalled. */
export const SlaSchema = z.object({
  days: z.number().int().positive(),
  unit: z.enum(["business", "calendar"]),
});
/** How long an account may stay in a stage before it counts as stalled. */
export type Sla = z.infer<typeof SlaSchema>;

/** A marker the actor confirms before an account may leave a stage. */
export const ChecklistItemSchema = z.object({ key: KeySchema, label: LabelSchema });
/** A marker the actor confirms before an account may leave a stage. */
export type ChecklistItem = z.infer<typeof ChecklistItemSchema>;

/** One stage of the funnel. */
export const StageSchema = z.object({
  code: StageCodeSchema,
  name: LabelSchema,
  /** Teams that may act on accounts in this stage; the first is the one whose digest lists it. */
  teams: z.array(KeySchema),
  sla: SlaSchema.nullable().default(null),
  /** Days without any activity after which the account counts as stalled, whatever its SLA. */
  idleDays: z.number().int().positive().nullable().default(null),
  checklist: z.array(ChecklistItemSchema).default([]),
  /** Entering this stage hands the account to a member of this team when its owner is not in it. */
  assignTo: KeySchema.nullable().default(null),
  /** Amounts of accounts in these stages make up the forecast. */
  forecast: z.boolean().default(false),
  /** For forecast stages: the chance an account here is won, weighting its amount; unset counts it in full. */
  probability: z.number().min(0).max(1).nullable().default(null),
  /** Accounts here are paying customers (conversion "to customer", renewals allowed). */
  customer: z.boolean().default(false),
  /** Renewal and expansion are recorded here as account events. */
  renewals: z.boolean().default(false),
  /**
   * The account's story ends here (lost, archived): it leaves people's lists and the open count. Unset, a stage
   * is closed when no move leaves it and it holds no customers ({@link isClosed}).
   */
  closed: z.boolean().nullable().default(null),
});
/** One stage of the funnel. */
export type Stage = z.infer<typeof StageSchema>;

/** The verbs people use to move accounts; each transition of a playbook answers to one. */
export const VerbSchema = z.enum([
  "handoff", // LEAD → MQL: marketing hands the lead to sales
  "accept", // MQL → SAL
  "return", // back to marketing, with a reason
  "disqualify", // → UNQUALIFIED, with a reason
  "qualify", // SAL → SQL once BANT passes
  "validate", // start product validation (SQL → PQL)
  "validate-pass", // PQL → P0
  "validate-fail", // PQL → SQL
  "sign", // SQL → P0 directly
  "advance", // the next step on the main path
  "lose", // → LOST, with a reason
  "churn", // → CHURNED, with a reason
  "winback", // CHURNED → PQL
  "archive", // → ARCHIVED
  "recycle", // back into the funnel (LOST → MQL, RETURNED → MQL, UNQUALIFIED → LEAD)
]);
/** The verbs people use to move accounts. */
export type Verb = z.infer<typeof VerbSchema>;

/** An allowed move between two stages. */
export const TransitionSchema = z.object({
  from: StageCodeSchema,
  to: StageCodeSchema,
  verb: VerbSchema,
  /** The reason list a reason must come from; set means a reason is required. */
  reasons: KeySchema.nullable().default(null),
});
/** An allowed move between two stages. */
export type Transition = z.infer<typeof TransitionSchema>;

/** A reason people can pick, with free text beside it. */
export const ReasonSchema = z.object({ key: KeySchema, label: LabelSchema });
/** A reason people can pick, with free text beside it. */
export type Reason = z.infer<typeof ReasonSchema>;

/** What a playbook does on its own when accounts move or sit. */
export const AutomationSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("message-on-enter"),
    stage: StageCodeSchema,
    to: z.enum(["owner", "team"]),
    text: LabelSchema,
  }),
  z.object({
    kind: z.literal("task-after-days"),
    stage: StageCodeSchema,
    days: z.number().int().positive(),
    task: KeySchema,
    title: LabelSchema,
  }),
]);
/** What a playbook does on its own when accounts move or sit. */
export type Automation = z.infer<typeof AutomationSchema>;

/** Points for behaviour and demographics, a grade from the total, and the score that makes an MQL. */
export const ScoringSchema = z.object({
  behaviour: z.record(z.string(), z.number().int()),
  demographic: z.record(z.string(), z.record(z.string(), z.number().int())),
  grades: z.object({ hot: z.number().int(), warm: z.number().int() }),
  mqlThreshold: z.number().int(),
});
/** Points for behaviour and demographics, a grade from the total, and the score that makes an MQL. */
export type Scoring = z.infer<typeof ScoringSchema>;

/** Sends leads matching every condition given to these reps (by handle) in turn; the first match wins. */
export const RoutingRuleSchema = z.object({
  region: z.array(z.string().min(1)).optional(),
  industry: z.array(z.string().min(1)).optional(),
  /** Company size (employees), inclusive bounds. */
  minSize: z.number().int().nonnegative().optional(),
  maxSize: z.number().int().nonnegative().optional(),
  reps: z.array(z.string().min(1)).min(1),
});
/** Sends leads matching every condition given to these reps (by handle) in turn; the first match wins. */
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;

/** How MQLs find a rep: rules or round robin, and the public pool (公海) an unaccepted one returns to. */
export const RoutingSchema = z.object({
  rules: z.array(RoutingRuleSchema).default([]),
  /** Where an MQL its rep let wait goes: the next rep in turn, or the pool for any rep to claim. */
  release: z.enum(["next-rep", "pool"]).default("next-rep"),
  /** Days a rep who let an MQL go may neither claim it back nor be given it again. */
  cooldownDays: z.number().int().nonnegative().default(7),
  /** Unaccepted MQLs a rep may hold at once; claiming more from the pool is refused. */
  claimLimit: z.number().int().positive().default(10),
});
/** How MQLs find a rep, and the rules of the public pool. */
export type Routing = z.infer<typeof RoutingSchema>;

/** What a team does, which names its members' work: a rep of a customer-success team is a CSM (客户成功), not a salesperson. */
export const TeamKindSchema = z.enum(["marketing", "sales", "cs", "support", "other"]);
/** What a team does. */
export type TeamKind = z.infer<typeof TeamKindSchema>;

/** A team a playbook names as an owner; `kind` defaults to the key's when the key is a kind (`sales`), else `other`. */
export const TeamDefSchema = z.object({ key: KeySchema, name: LabelSchema, kind: TeamKindSchema.optional() });

/** The kind of a playbook's team: as declared, or read from its key. */
export function teamKind(playbook: Playbook, teamKey: string): TeamKind {
  const team = playbook.teams.find((x) => x.key === teamKey);
  const declared = team?.kind ?? TeamKindSchema.safeParse(teamKey).data;
  return declared ?? "other";
}

/** A whole funnel: stages, moves, owners, SLAs, checklists, reasons, automations, scoring. */
export const PlaybookSchema = z
  .object({
    name: KeySchema,
    title: LabelSchema,
    teams: z.array(TeamDefSchema).min(1),
    initialStage: StageCodeSchema,
    stages: z.array(StageSchema).min(2),
    transitions: z.array(TransitionSchema).min(1),
    reasons: z.record(KeySchema, z.array(ReasonSchema).min(1)).default({}),
    automations: z.array(AutomationSchema).default([]),
    scoring: ScoringSchema.nullable().default(null),
    routing: RoutingSchema.prefault({}),
    /** Forward only: no transition may lead back to an earlier stage. */
    forwardOnly: z.boolean().default(false),
  })
  .superRefine((playbook, ctx) => {
    const codes = new Set(playbook.stages.map((s) => s.code));
    const teams = new Set(playbook.teams.map((t) => t.key));
    const issue = (message: string, path: (string | number)[]) => ctx.addIssue({ code: "custom", message, path });
    if (codes.size !== playbook.stages.length) issue("stage codes must be unique", ["stages"]);
    if (!codes.has(playbook.initialStage)) issue(`unknown initial stage ${playbook.initialStage}`, ["initialStage"]);
    playbook.stages.forEach((stage, i) => {
      for (const team of [...stage.teams, ...(stage.assignTo ? [stage.assignTo] : [])]) {
        if (!teams.has(team)) issue(`stage ${stage.code} names unknown team ${team}`, ["stages", i]);
      }
    });
    const order = new Map(playbook.stages.map((s, i) => [s.code, i]));
    const seen = new Set<string>();
    playbook.transitions.forEach((t, i) => {
      if (!codes.has(t.from)) issue(`transition from unknown stage ${t.from}`, ["transitions", i, "from"]);
      if (!codes.has(t.to)) issue(`transition to unknown stage ${t.to}`, ["transitions", i, "to"]);
      if (t.reasons && !playbook.reasons[t.reasons]) issue(`unknown reason list ${t.reasons}`, ["transitions", i]);
      if (seen.has(`${t.from}>${t.to}`)) issue(`duplicate transition ${t.from} → ${t.to}`, ["transitions", i]);
      seen.add(`${t.from}>${t.to}`);
      if (playbook.forwardOnly && (order.get(t.to) ?? 0) <= (order.get(t.from) ?? 0)) {
        issue(`forward-only playbook moves back from ${t.from} to ${t.to}`, ["transitions", i]);
      }
    });
    playbook.automations.forEach((a, i) => {
      if (!codes.has(a.stage)) issue(`automation on unknown stage ${a.stage}`, ["automations", i]);
    });
  });
/** A whole funnel, as written in a playbook file (before defaults). */
export type PlaybookInput = z.input<typeof PlaybookSchema>;
/** A whole funnel, validated, with defaults filled in. */
export type Playbook = z.infer<typeof PlaybookSchema>;

/** The stage with this code, or undefined. */
export function stageOf(playbook: Playbook, code: string): Stage | undefined {
  return playbook.stages.find((s) => s.code === code);
}

/** Every move allowed out of a stage. */
export function transitionsFrom(playbook: Playbook, code: string): Transition[] {
  return playbook.transitions.filter((t) => t.from === code);
}

/** Whether accounts in this stage are done with: the stage says so; or (unset) it holds no customers and no move leaves it, or only moves that end a journey lead into it. */
export function isClosed(playbook: Playbook, code: string): boolean {
  const stage = stageOf(playbook, code);
  if (!stage) return false;
  if (stage.closed !== null) return stage.closed;
  if (stage.customer) return false;
  if (transitionsFrom(playbook, code).length === 0) return true;
  // Reached only by moves that end a journey (lost, churned, disqualified, archived): a way back (win-back,
  // recycle) does not make it part of the open funnel.
  const entering = playbook.transitions.filter((t) => t.to === code).map((t) => t.verb);
  return entering.length > 0 && entering.every((verb) => ENDING_VERBS.has(verb));
}

// Verbs that end an account's journey rather than move it along: where they lead is a closed stage.
const ENDING_VERBS: ReadonlySet<string> = new Set(["lose", "churn", "disqualify", "archive"]);

/** Whether a move is the one that qualifies an account (BANT passed): the playbook's `qualify` transitions, whatever their stages are called. */
export function isQualifyMove(playbook: Playbook, from: string, to: string): boolean {
  return playbook.transitions.some((t) => t.verb === "qualify" && t.from === from && t.to === to);
}
