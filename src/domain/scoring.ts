import type { Scoring } from "./playbook.js";

/** What a lead says about itself: the demographic facts scoring reads. */
export interface LeadProfile {
  readonly title: string | null;
  /** Employees. */
  readonly size: number | null;
  readonly industry: string | null;
  readonly region: string | null;
}

/** Behaviour of one kind so far: how often, and the points it earned when it happened. */
export interface BehaviourTotal {
  readonly kind: string;
  readonly count: number;
  readonly points: number;
}

/** The demographic attributes a playbook scores, in the order `lead show` explains them. */
export const DEMOGRAPHICS = ["title", "size", "industry", "region"] as const;
/** A demographic attribute a playbook scores. */
export type Demographic = (typeof DEMOGRAPHICS)[number];

/** One line of a score's explanation. */
export type ScoreLine =
  | { readonly kind: "demographic"; readonly attribute: Demographic; readonly value: string; readonly band: string; readonly points: number }
  | { readonly kind: "behaviour"; readonly behaviour: string; readonly count: number; readonly points: number };

/** Hot leads go to sales; warm ones are nurtured; cold ones wait. */
export type Grade = "hot" | "warm" | "cold";

/** A lead's score, its grade and every line that makes it up. */
export interface LeadScore {
  readonly total: number;
  readonly grade: Grade;
  readonly lines: readonly ScoreLine[];
}

// Titles as people write them, in English and Chinese, mapped to the keys playbooks score. A key a
// playbook uses is also matched as a word of the title itself.
const TITLE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  "c-level": ["ceo", "cto", "cfo", "coo", "cmo", "cio", "chief", "founder", "首席", "总裁", "创始人", "总经理"],
  ceo: ["chief executive", "founder", "首席执行官", "总裁", "创始人", "总经理"],
  cto: ["chief technology", "首席技术官", "技术负责人"],
  vp: ["vice president", "副总裁", "副总"],
  director: ["head of", "总监", "负责人"],
  manager: ["经理", "主管", "lead"],
  staff: ["专员", "工程师", "specialist", "engineer"],
};

function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}-]+/u).filter(Boolean);
}

/** The playbook key a job title scores as: the best-scoring key it matches, or null. */
export function titleBand(points: Readonly<Record<string, number>>, title: string): string | null {
  const lower = title.toLowerCase();
  const own = words(title);
  const matches = (key: string) =>
    own.includes(key) || (TITLE_ALIASES[key] ?? []).some((alias) => (/^[a-z ]+$/.test(alias) && !alias.includes(" ") ? own.includes(alias) : lower.includes(alias)));
  const hits = Object.keys(points).filter(matches);
  return hits.sort((a, b) => points[b]! - points[a]!)[0] ?? null;
}

/** The band (`50-199`, `1000+`) a head count falls in, or null. */
export function sizeBand(points: Readonly<Record<string, number>>, size: number): string | null {
  for (const band of Object.keys(points)) {
    const range = /^(\d+)\s*(?:-\s*(\d+)|(\+))$/.exec(band);
    if (!range) continue;
    const low = Number(range[1]);
    const high = range[3] ? Infinity : Number(range[2]);
    if (size >= low && size <= high) return band;
  }
  return null;
}

/** The key an industry or region scores as: the same word, ignoring case, spaces and dashes. */
function plainBand(points: Readonly<Record<string, number>>, value: string): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, "");
  return Object.keys(points).find((key) => norm(key) === norm(value)) ?? null;
}

/** The band of one attribute's value, by the rules of that attribute. */
function bandOf(attribute: Demographic, points: Readonly<Record<string, number>>, profile: LeadProfile): { value: string; band: string } | null {
  const raw = profile[attribute];
  if (raw === null || raw === "") return null;
  const value = String(raw);
  const band = attribute === "title" ? titleBand(points, value) : attribute === "size" ? sizeBand(points, Number(raw)) : plainBand(points, value);
  return band === null ? null : { value, band };
}

/** The grade of a total, by the playbook's thresholds. */
export function gradeOf(scoring: Scoring, total: number): Grade {
  return total >= scoring.grades.hot ? "hot" : total >= scoring.grades.warm ? "warm" : "cold";
}

/** The points one occurrence of a behaviour earns; unknown behaviours earn nothing. */
export function behaviourPoints(scoring: Scoring | null, kind: string): number {
  return scoring?.behaviour[kind] ?? 0;
}

/**
 * Scores a lead as seed 002 describes: demographic points (title, company size, industry, region) plus
 * the behaviour points it has earned, graded hot / warm / cold. Every point is on a line, so people can
 * see why a lead is (or is not yet) an MQL.
 */
export function scoreLead(scoring: Scoring, profile: LeadProfile, behaviour: readonly BehaviourTotal[]): LeadScore {
  const lines: ScoreLine[] = [];
  for (const attribute of DEMOGRAPHICS) {
    const points = scoring.demographic[attribute];
    if (!points) continue;
    const found = bandOf(attribute, points, profile);
    if (found) lines.push({ kind: "demographic", attribute, ...found, points: points[found.band]! });
  }
  for (const total of [...behaviour].sort((a, b) => b.points - a.points || a.kind.localeCompare(b.kind))) {
    lines.push({ kind: "behaviour", behaviour: total.kind, count: total.count, points: total.points });
  }
  const total = lines.reduce((sum, line) => sum + line.points, 0);
  return { total, grade: gradeOf(scoring, total), lines };
}
