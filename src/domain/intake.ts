/** A lead's facts as intake reads and merges them. */
export interface LeadFacts {
  readonly email: string | null;
  readonly domain: string | null;
  readonly source: string | null;
  readonly title: string | null;
  readonly size: number | null;
  readonly industry: string | null;
  readonly region: string | null;
}

/** What a submission says about a lead; absent fields say nothing. */
export interface LeadSubmission {
  readonly source?: string;
  readonly title?: string;
  readonly size?: number;
  readonly industry?: string;
  readonly region?: string;
}

/** The facts to change on a known lead. */
export type FactsPatch = Partial<Pick<LeadFacts, "email" | "domain" | "source" | "title" | "size" | "industry" | "region">>;

/**
 * The fields of a submission that differ from the lead's; empty when a re-sent lead brings nothing new. The
 * company keeps the name it was first given (sales may have corrected it), and the contact and source are only
 * filled in when missing: the first touch is the channel the lead is credited to.
 */
export function mergePatch(lead: LeadFacts, input: LeadSubmission, domain: string | null, email: string | null): FactsPatch {
  const wanted: FactsPatch = {
    email: lead.email ? undefined : (email ?? undefined), domain: lead.domain ? undefined : (domain ?? undefined),
    source: lead.source ? undefined : input.source, title: input.title, size: input.size, industry: input.industry, region: input.region,
  };
  return Object.fromEntries(Object.entries(wanted).filter(([k, v]) => v !== undefined && v !== lead[k as keyof LeadFacts])) as FactsPatch;
}
