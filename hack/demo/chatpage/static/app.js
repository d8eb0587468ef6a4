// The sandbox's chat page: server-sent events in, JSON actions out. Every
// text from the server is put in the page with textContent, never as HTML.
"use strict";

const state = { user: null, bubbles: new Map(), objects: null, channel: "", readSent: new Set(), windowClosed: new Map(), shownChannels: "", shownTemplates: "" };
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

async function post(path, body, errorBox) {
  errorBox.textContent = "";
  try {
    const resp = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const answer = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(answer.error || ("HTTP " + resp.status));
    return answer;
  } catch (err) {
    errorBox.textContent = err.message;
    throw err;
  }
}

// --- the conversation -------------------------------------------------

const tickText = { pending: "◷", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" };
const tickLabel = { pending: "waiting for Meta", sent: "sent", delivered: "delivered", read: "read", failed: "not delivered" };

function sendAsUser(body) {
  return post("/api/messages", Object.assign({ channel: state.channel }, body), $("composer-error"));
}

function renderBubble(b) {
  const li = el("li", { class: "bubble " + b.from, id: "m-" + b.id, "data-kind": b.kind, "data-ticks": b.ticks, "data-at": b.at });
  if (b.kind === "template") li.append(el("div", { class: "template-tag", text: "template " + b.template }));
  if (b.imageURL) {
    const img = el("img", { src: b.imageURL, alt: b.text ? "Picture: " + b.text : "A picture" });
    // A picture grows its bubble once loaded: keep the newest message in view.
    img.addEventListener("load", () => { const list = $("messages"); if (li === list.lastElementChild) list.scrollTop = list.scrollHeight; });
    li.append(img);
  }
  if (b.header) li.append(el("div", { class: "header", text: b.header }));
  if (b.text) li.append(el("div", { class: "text", text: b.text }));
  if (b.footer) li.append(el("div", { class: "footer", text: b.footer }));
  if (b.buttons && b.buttons.length) {
    const box = el("div", { class: "choices", role: "group", "aria-label": "Reply buttons" });
    for (const c of b.buttons) {
      const tappable = c.type === "reply" || c.type === "QUICK_REPLY";
      const btn = el("button", { type: "button", text: c.title });
      if (!tappable) { btn.disabled = true; btn.title = c.type + " button (not followed in the sandbox)"; }
      btn.addEventListener("click", () => sendAsUser(c.type === "reply"
        ? { type: "button_reply", replyID: c.id, title: c.title, replyTo: b.id }
        : { type: "button", replyID: c.id, title: c.title, replyTo: b.id }).catch(() => {}));
      box.append(btn);
    }
    li.append(box);
  }
  if (b.kind === "list") {
    const open = el("button", { type: "button", class: "list-open", text: "☰ " + b.listButton });
    open.addEventListener("click", () => openList(b));
    li.append(el("div", { class: "choices" }, open));
  }
  if (b.note) li.append(el("div", { class: "note" + (b.ticks === "failed" ? " failed" : ""), text: b.note }));
  if (b.retry) {
    const again = el("button", { type: "button", class: "list-open", text: "Resend (Meta's retry)" });
    again.addEventListener("click", () => post("/api/messages", b.retry, $("composer-error")).catch(() => {}));
    li.append(again);
  }
  const time = new Date(b.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const meta = el("div", { class: "meta" }, el("span", { text: time }));
  meta.append(el("span", { class: "ticks " + b.ticks, "aria-label": tickLabel[b.ticks] || b.ticks, title: tickLabel[b.ticks] || b.ticks, text: tickText[b.ticks] || "" }));
  li.append(meta);
  return li;
}

function openList(b) {
  const dialog = $("list-dialog");
  $("list-title").textContent = b.listButton;
  const rows = $("list-rows");
  rows.replaceChildren();
  for (const s of b.sections || []) {
    rows.append(el("h4", { text: s.title }));
    for (const r of s.rows) {
      const btn = el("button", { type: "button", class: "row" }, el("span", { text: r.title }), r.description ? el("small", { text: r.description }) : null);
      btn.addEventListener("click", () => {
        dialog.close();
        sendAsUser({ type: "list_reply", replyID: r.id, title: r.title, description: r.description || "", replyTo: b.id }).catch(() => {});
      });
      rows.append(btn);
    }
  }
  dialog.showModal();
}

function showConversation() {
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  const mine = [...state.bubbles.values()].filter((b) => b.channel === state.channel).sort((a, b) => new Date(a.at) - new Date(b.at));
  for (const b of mine) list.append(renderBubble(b));
  if (atBottom || list.dataset.shown !== state.channel) list.scrollTop = list.scrollHeight;
  list.dataset.shown = state.channel;
  markRead();
}

// contentKey is what a bubble shows apart from its ticks.
function contentKey(b) {
  const rest = Object.assign({}, b);
  delete rest.ticks;
  return JSON.stringify(rest);
}

// showTicks updates a shown bubble's ticks in place, so that a button the
// user is about to tap (or has focused with the keyboard) stays put.
function showTicks(li, b) {
  li.dataset.ticks = b.ticks;
  const span = li.querySelector(".meta .ticks");
  span.className = "ticks " + b.ticks;
  span.textContent = tickText[b.ticks] || "";
  span.title = tickLabel[b.ticks] || b.ticks;
  span.setAttribute("aria-label", span.title);
}

function upsertBubble(b) {
  const before = state.bubbles.get(b.id);
  state.bubbles.set(b.id, b);
  if (b.channel !== state.channel) return;
  const old = document.getElementById("m-" + b.id);
  if (old && before && contentKey(before) === contentKey(b)) { showTicks(old, b); markRead(); return; }
  const fresh = renderBubble(b);
  if (old) { old.replaceWith(fresh); } else {
    // In time order: a user's bubble can arrive after the replies it caused.
    const list = $("messages");
    const later = [...list.children].find((li) => new Date(li.dataset.at) > new Date(b.at));
    list.insertBefore(fresh, later || null);
    list.scrollTop = list.scrollHeight;
  }
  markRead();
}

// The user's phone shows the business's messages: Meta sends "read".
function markRead() {
  if (document.visibilityState !== "visible") return;
  for (const b of state.bubbles.values()) {
    if (b.from === "business" && b.channel === state.channel && !state.readSent.has(b.id) && (b.ticks === "sent" || b.ticks === "delivered")) {
      state.readSent.add(b.id);
      post("/api/read", { channel: b.channel, messageID: b.id }, $("composer-error")).catch(() => state.readSent.delete(b.id));
    }
  }
}
document.addEventListener("visibilitychange", markRead);

$("composer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const input = $("composer-text");
  const text = input.value.trim();
  if (!text || !state.channel) return;
  sendAsUser({ type: "text", text }).then(() => { input.value = ""; }).catch(() => {});
});

$("composer-image").addEventListener("change", () => {
  const file = $("composer-image").files[0];
  $("composer-image").value = "";
  if (!file) return;
  if (file.size > 5 * 1024 * 1024) { $("composer-error").textContent = "WhatsApp takes pictures up to 5 MB."; return; }
  const reader = new FileReader();
  reader.onload = () => {
    const data = String(reader.result).split(",")[1];
    sendAsUser({ type: "image", imageMIMEType: file.type, imageData: data, text: $("composer-text").value.trim() })
      .then(() => { $("composer-text").value = ""; }).catch(() => {});
  };
  reader.readAsDataURL(file);
});

// --- the panel ---------------------------------------------------------

function showObjects() {
  const o = state.objects;
  if (!o) return;
  const box = $("objects");
  box.replaceChildren();
  for (const t of o.tables || []) {
    const table = el("table", { "aria-label": t.kind + " objects" });
    const head = el("tr");
    t.columns.forEach((c) => head.append(el("th", { scope: "col", text: c })));
    table.append(el("thead", {}, head));
    const body = el("tbody");
    const readyAt = t.columns.indexOf("READY");
    for (const r of t.rows) {
      const tr = el("tr", { "data-kind": t.kind, "data-name": r[0] });
      r.forEach((cell, i) => {
        const text = i === 0 ? t.kind.toLowerCase() + ".whatsapp.kubechat.io/" + cell : cell;
        tr.append(el("td", { class: i === readyAt ? cell.toLowerCase() : "", text }));
      });
      body.append(tr);
    }
    table.append(body);
    box.append(table);
  }
  if (o.error) box.append(el("p", { text: o.error }));
  const p = o.provider || {};
  $("provider-state").textContent = "MetaProvider Ready=" + (p.status || "?") + " " + (p.reason || "") + (p.message ? ": " + p.message : "");

  // The controls are rebuilt only when what they show changed (the tables
  // change every few seconds, with the objects' ages): a control the user
  // has focused or is about to click stays put.
  const channelsKey = JSON.stringify(o.channels || []);
  if (channelsKey !== state.shownChannels) {
    state.shownChannels = channelsKey;
    showChannels(o);
  }
  const templatesKey = JSON.stringify(o.templates || []);
  if (templatesKey !== state.shownTemplates) {
    state.shownTemplates = templatesKey;
    showTemplates(o);
  }
  showWindow();
}

function showChannels(o) {
  const select = $("channel");
  const chosen = state.channel;
  select.replaceChildren();
  for (const c of o.channels || []) {
    if (!c.phoneNumberID) continue;
    select.append(el("option", { value: c.phoneNumberID, text: (c.verifiedName || c.name) + " " + (c.display || "") + (c.ready ? "" : " (not Ready)") }));
  }
  state.channel = [...select.options].some((x) => x.value === chosen) ? chosen : defaultChannel(select);
  select.value = state.channel;
  const ch = (o.channels || []).find((c) => c.phoneNumberID === state.channel);
  if (ch && ch.quality) $("quality").value = ch.quality;
}

function showTemplates(o) {
  const list = $("templates");
  list.replaceChildren();
  for (const t of o.templates || []) {
    const li = el("li", { "data-template": t.name },
      el("span", { text: t.name + " (" + t.language + ")" }),
      el("span", { class: "status " + (t.status || ""), text: t.status || "not submitted" }));
    if (t.status === "PENDING" && t.id) {
      const approve = el("button", { type: "button", text: "Approve", "aria-label": "Approve " + t.name });
      const reject = el("button", { type: "button", class: "reject", text: "Reject", "aria-label": "Reject " + t.name });
      approve.addEventListener("click", () => post("/api/templates/decision", { templateID: t.id, status: "APPROVED" }, $("panel-error")).catch(() => {}));
      reject.addEventListener("click", () => post("/api/templates/decision", { templateID: t.id, status: "REJECTED" }, $("panel-error")).catch(() => {}));
      li.append(approve, reject);
    }
    list.append(li);
  }
}

// defaultChannel is the number of the latest conversation, else the first.
function defaultChannel(select) {
  const values = [...select.options].map((x) => x.value);
  let latest = null;
  for (const b of state.bubbles.values()) if (values.includes(b.channel) && (!latest || new Date(b.at) >= new Date(latest.at))) latest = b;
  return latest ? latest.channel : (values[0] || "");
}

function showWindow() {
  const closed = !!state.windowClosed.get(state.channel);
  const btn = $("window-toggle");
  btn.setAttribute("aria-pressed", String(closed));
  btn.textContent = closed ? "Reopen the 24-hour window" : "Close the 24-hour window";
}

$("channel").addEventListener("change", () => {
  state.channel = $("channel").value;
  const ch = ((state.objects || {}).channels || []).find((c) => c.phoneNumberID === state.channel);
  if (ch && ch.quality) $("quality").value = ch.quality;
  showConversation();
  showWindow();
});
$("window-toggle").addEventListener("click", () => {
  const closed = !state.windowClosed.get(state.channel);
  post("/api/window", { channel: state.channel, closed }, $("panel-error")).then(() => { state.windowClosed.set(state.channel, closed); showWindow(); }).catch(() => {});
});
$("quality").addEventListener("change", () => post("/api/quality", { channel: state.channel, rating: $("quality").value }, $("panel-error")).catch(() => {}));
document.querySelectorAll("[data-fault]").forEach((b) => b.addEventListener("click", () => post("/api/faults", { kind: b.dataset.fault }, $("panel-error")).catch(() => {})));

// --- live updates ------------------------------------------------------

function connect() {
  const events = new EventSource("/events");
  events.addEventListener("snapshot", (ev) => {
    const s = JSON.parse(ev.data);
    state.user = s.user;
    $("me").textContent = s.user.name + " (+" + s.user.waID + ")";
    state.bubbles = new Map((s.bubbles || []).sort((a, b) => new Date(a.at) - new Date(b.at)).map((b) => [b.id, b]));
    state.objects = s.objects;
    showObjects();
    showConversation();
    $("connection").textContent = "Live";
    document.body.dataset.live = "true";
  });
  events.addEventListener("bubble", (ev) => upsertBubble(JSON.parse(ev.data)));
  events.addEventListener("objects", (ev) => { state.objects = JSON.parse(ev.data); showObjects(); });
  events.onerror = () => { $("connection").textContent = "Reconnecting…"; document.body.dataset.live = "false"; };
}
connect();
