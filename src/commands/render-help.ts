import type { HelpTopic } from "./command.js";
import type { Locale, Reply } from "./reply.js";
import { usageLine, VERB_WORDS } from "./vocabulary.js";

// Help is written from the vocabulary, so it names every verb in the reader's language and cannot drift
// from what the parser takes.
const FOOTER: Partial<Record<HelpTopic, { en: string; zh: string }>> = {
  lead: { en: "An account is #42, 42, or the start of its name or domain.", zh: "客户可用 #42、42,或名称、域名的开头表示。" },
};

/** The help for one topic, or for all of them. */
export function helpReply(topic: HelpTopic | null, locale: Locale): Reply {
  const lang = locale === "zh-CN" ? "zh" : "en";
  const topics: HelpTopic[] = topic ? [topic] : ["lead", "account", "funnel"];
  const lines = topics.flatMap((x) => [
    ...VERB_WORDS.filter((e) => e.group === x).map((e) => `${usageLine(e, locale)} — ${e.help[lang]}`),
    ...(FOOTER[x] ? [FOOTER[x][lang]] : []),
  ]);
  return { text: lines.join("\n"), ephemeral: true, blocks: [{ kind: "list", items: lines }] };
}
