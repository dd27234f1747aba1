/* global document, fetch, FormData, URLSearchParams, localStorage, crypto, setTimeout, Option */
// The playground page's script: picks who you are, sends commands, button clicks and form submissions to
// the server, and shows the HTML the server renders from the bot's replies. It decides nothing itself.
"use strict";

const token = document.querySelector('meta[name="funnelbot-token"]').content;
const $ = (selector) => document.querySelector(selector);
const state = { boot: null, me: null, lang: "en", view: "home", version: -1, conversations: [], local: new Map(), home: "", shown: null, reveal: false };

async function api(path, body) {
  const init = body === undefined
    ? { headers: { accept: "application/json" } }
    : { method: "POST", headers: { "content-type": "application/json", "x-funnelbot-token": token }, body: JSON.stringify(body) };
  try {
    const response = await fetch(path, { credentials: "same-origin", ...init });
    const data = await response.json();
    return response.ok ? data : { error: data.error || response.statusText };
  } catch {
    return { error: label("playground.bad-request") };
  }
}

function label(key) {
  return (state.boot && state.boot.labels[state.lang][key]) || key;
}

function clickId() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2, 12)}`;
}

function applyLabels() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-label]")) el.textContent = label(el.dataset.label);
  for (const el of document.querySelectorAll("[data-placeholder]")) el.placeholder = label(el.dataset.placeholder);
  document.title = label("playground.title");
}

function teamName(key) {
  const team = state.boot.teams.find((t) => t.key === key);
  return team ? team.name[state.lang] : key;
}

function renderNav() {
  const channels = $("#channels");
  channels.replaceChildren(...state.boot.teams.map((team) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "nav";
    button.dataset.view = `team:${team.key}`;
    const count = (state.conversations.find((c) => c.key === button.dataset.view) || { messages: [] }).messages.length;
    button.textContent = `# ${team.key} · ${team.name[state.lang]}`;
    const badge = document.createElement("span");
    badge.className = "count";
    badge.textContent = String(count);
    button.append(badge);
    return button;
  }));
  for (const el of document.querySelectorAll(".nav")) el.classList.toggle("active", el.dataset.view === state.view);
  // Rebuilt for the language; the team chosen stays chosen.
  const digestTeam = $("#digest-team");
  const chosen = digestTeam.value;
  digestTeam.replaceChildren(...state.boot.teams.map((team) => new Option(team.name[state.lang], team.key)));
  if (chosen) digestTeam.value = chosen;
}

function conversationKey() {
  if (state.view === "dm") return state.conversations.find((c) => c.kind === "dm")?.key;
  return state.view;
}

function messageElement(html, meta, classes) {
  const el = document.createElement("article");
  el.className = ["message", ...classes].join(" ");
  const head = document.createElement("div");
  head.className = "meta";
  head.append(...meta);
  const body = document.createElement("div");
  body.className = "body";
  // The server renders replies to HTML with every value escaped (src/platforms/playground/html.ts).
  body.innerHTML = html;
  el.append(head, body);
  return el;
}

function render() {
  const title = state.view === "home" ? label("playground.home") : state.view === "dm" ? `${label("playground.dm")} · funnelbot` : `# ${state.view.slice(5)} · ${teamName(state.view.slice(5))}`;
  $("#view-title").textContent = title;
  const list = $("#messages");
  const items = [];
  if (state.view === "home") {
    items.push(messageElement(state.home, [], ["home"]));
  } else {
    const conversation = state.conversations.find((c) => c.key === conversationKey());
    for (const m of (conversation ? conversation.messages : [])) {
      // In the business timezone, named: the times inside the messages are in it too.
      const at = `${new Date(m.at).toLocaleTimeString(state.lang, { timeZone: state.boot.timezone, hour: "2-digit", minute: "2-digit" })} (${state.boot.timezone})`;
      const meta = [`funnelbot · ${at}${m.updated ? ` · ${label("playground.updated")}` : ""}`];
      items.push(messageElement(m.html, meta, m.html.includes("data-command") || m.updated ? ["card"] : []));
    }
    if (items.length === 0) {
      const empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = label("playground.empty");
      items.push(empty);
    }
  }
  for (const entry of state.local.get(state.view) || []) {
    const ran = document.createElement("span");
    ran.className = "ran";
    ran.textContent = `${label("playground.you-ran")}: ${entry.ran}`;
    items.push(messageElement(entry.html, entry.ephemeral ? [ran, ` · ${label("playground.only-you")}`] : [ran], ["local"]));
  }
  // Where the reader looks: at their own newest answer; in a view just opened, at its start (home) or its end
  // (a conversation); otherwise where they were, following a conversation they had read to its end.
  const before = { top: list.scrollTop, atEnd: list.scrollTop + list.clientHeight >= list.scrollHeight - 8 };
  list.replaceChildren(...items);
  const newest = state.reveal ? list.querySelector("article.local:last-of-type") : null;
  if (newest) newest.scrollIntoView({ block: "start" });
  else if (state.shown !== state.view) list.scrollTop = state.view === "home" ? 0 : list.scrollHeight;
  else list.scrollTop = before.atEnd && state.view !== "home" ? list.scrollHeight : before.top;
  state.reveal = false;
  state.shown = state.view;
  renderNav();
}

async function refreshHome() {
  const data = await api(`/playground/api/home?${new URLSearchParams({ as: state.me, locale: state.lang })}`);
  state.home = data.html || `<p>${data.error}</p>`;
}

async function poll(force) {
  const data = await api(`/playground/api/feed?${new URLSearchParams({ as: state.me, since: force ? "-1" : String(state.version) })}`);
  if (data.changed) {
    state.version = data.version;
    state.conversations = data.conversations;
    if (state.view === "home") await refreshHome();
    render();
  }
}

function remember(ran, answer) {
  const entries = state.local.get(state.view) || [];
  entries.push({ ran, html: answer.html || `<p>${answer.error || ""}</p>`, ephemeral: answer.ephemeral !== false });
  state.local.set(state.view, entries);
  state.reveal = true;
}

async function afterAction() {
  if (state.view === "home") await refreshHome();
  render();
  await poll(false);
}

async function run(line, click) {
  const answer = await api("/playground/api/command", { as: state.me, locale: state.lang, line, ...(click ? { click } : {}) });
  if (answer.form) return openForm(answer.form);
  remember(answer.ran || line, answer);
  await afterAction();
}

function openForm(html) {
  const dialog = $("#dialog");
  dialog.innerHTML = html;
  if (!dialog.open) dialog.showModal();
}

function formValues(form, meta) {
  const data = new FormData(form);
  const values = {};
  for (const field of meta.fields) {
    const boxes = form.querySelector(`input[type=checkbox][name="${field.name}"]`);
    const all = data.getAll(field.name).map(String);
    if (boxes) values[field.name] = all;
    else if (all.length) values[field.name] = all[0];
  }
  return values;
}

async function submitForm(form) {
  const meta = JSON.parse(form.dataset.meta);
  for (const b of form.querySelectorAll("button")) b.disabled = true;
  const answer = await api("/playground/api/form", { as: state.me, locale: state.lang, click: clickId(), form: meta, values: formValues(form, meta) });
  if (answer.errorCode || answer.error) {
    // As a Slack modal answers a refused submission: the form again with its field errors, or the reason.
    if (answer.form) openForm(answer.form);
    const problem = $("#dialog .problem");
    if (!answer.form && problem) {
      problem.innerHTML = answer.html || "";
      if (answer.error) problem.textContent = answer.error;
      problem.hidden = false;
    }
    for (const b of $("#dialog").querySelectorAll("button")) b.disabled = false;
    return;
  }
  $("#dialog").close();
  remember(answer.ran || meta.command, answer);
  await afterAction();
}

/** The "You are" list, in the page's language: name — team · role. */
function fillMembers() {
  $("#who").replaceChildren(...state.boot.members.map((m) => new Option(`${m.name} — ${m.teamName[state.lang]} · ${m.roleName[state.lang]}`, m.handle)));
  $("#who").value = state.me;
}

function wire() {
  $("#who").addEventListener("change", async (e) => {
    state.me = e.target.value;
    localStorage.setItem("funnelbot.as", state.me);
    // The language stays the sidebar's choice: picking someone else does not switch it.
    state.local = new Map();
    applyLabels();
    await refreshHome();
    await poll(true);
    render();
  });
  $("#language").addEventListener("change", async (e) => {
    state.lang = e.target.value;
    localStorage.setItem("funnelbot.lang", state.lang);
    applyLabels();
    fillMembers();
    await refreshHome();
    render();
  });
  $("#sidebar").addEventListener("click", async (e) => {
    const nav = e.target.closest(".nav");
    if (!nav) return;
    state.view = nav.dataset.view;
    if (state.view === "home") await refreshHome();
    render();
  });
  $("#digest").addEventListener("submit", (e) => {
    e.preventDefault();
    run(`/funnel digest ${$("#digest-team").value}`);
  });
  $("#composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const line = $("#line").value.trim();
    if (!line) return;
    $("#line").value = "";
    run(line);
  });
  $("#messages").addEventListener("click", async (e) => {
    const button = e.target.closest("button[data-command]");
    if (!button) return;
    button.disabled = true;
    await run(button.dataset.command, clickId());
    button.disabled = false;
  });
  $("#dialog").addEventListener("submit", (e) => {
    e.preventDefault();
    submitForm(e.target);
  });
  $("#dialog").addEventListener("click", (e) => {
    if (e.target.closest("[data-cancel]")) $("#dialog").close();
  });
}

async function start() {
  state.boot = await api("/playground/api/bootstrap");
  if (!state.boot.members || state.boot.members.length === 0) {
    $("#messages").textContent = state.boot.error || "";
    return;
  }
  const saved = localStorage.getItem("funnelbot.as");
  const me = state.boot.members.find((m) => m.handle === saved) || state.boot.members.find((m) => m.handle === state.boot.suggested) || state.boot.members[0];
  state.me = me.handle;
  // The first visit starts in the first member's language; after that the sidebar's choice is kept.
  const lang = localStorage.getItem("funnelbot.lang");
  state.lang = lang === "en" || lang === "zh-CN" ? lang : me.locale;
  fillMembers();
  $("#language").value = state.lang;
  wire();
  applyLabels();
  await refreshHome();
  await poll(true);
  render();
  const tick = async () => {
    await poll(false);
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
}

start();
