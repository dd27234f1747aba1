// Mailbox providers: a lead writing from one of these says nothing about its company's domain, and
// merging by it would fold every Gmail lead into one account.
const FREE_MAIL: ReadonlySet<string> = new Set([
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "me.com", "proton.me", "protonmail.com",
  "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sohu.com", "aliyun.com", "139.com",
]);

/** A lead's contact keys as merging compares them: the email lower-cased, and the company's domain. */
export interface ContactKeys {
  readonly email: string | null;
  readonly domain: string | null;
}

/** The company domain of a lead: the one given, else its email's unless that is a mailbox provider. */
export function contactKeys(email: string | null | undefined, domain: string | null | undefined): ContactKeys {
  const mail = email?.trim().toLowerCase() || null;
  const fromMail = mail?.split("@")[1] ?? null;
  const raw = domain?.trim().toLowerCase() || (fromMail && !FREE_MAIL.has(fromMail) ? fromMail : null);
  return { email: mail, domain: raw ? raw.replace(/^www\./, "") : null };
}
