// The dashboard's one script: live updates and the few actions that write through the REST API.
(() => {
  "use strict";
  const live = document.querySelector("[data-live-status]");
  const say = (text) => { if (live) live.textContent = text; };

  // A conversation view follows its session on the WebSocket stream (/api/stream) from the last seq it shows.
  const list = document.querySelector("ol.events[data-session]");
  if (list) {
    let cursor = Number(list.dataset.lastSeq || "0");
    const connect = () => {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const socket = new WebSocket(`${scheme}//${location.host}/api/stream`);
      const topic = `session:${list.dataset.session}`;
      socket.onopen = () => { socket.send(JSON.stringify({ op: "subscribe", topics: [topic], cursors: { [topic]: cursor } })); say("live"); };
      socket.onmessage = (message) => {
        const item = JSON.parse(message.data);
        if (item.type !== "event" || item.topic !== topic || !item.data || item.data.seq <= cursor) return;
        cursor = item.data.seq;
        list.dataset.lastSeq = String(cursor);
        list.appendChild(renderEvent(item.data));
      };
      socket.onclose = () => { say("reconnecting"); setTimeout(connect, 2000); };
    };
    connect();
  }

  function renderEvent(e) {
    const li = document.createElement("li");
    li.className = `event role-${e.role} type-${e.type}`;
    li.dataset.seq = String(e.seq);
    const meta = document.createElement("div");
    meta.className = "meta";
    const badge = document.createElement("span");
    badge.className = `badge ${e.interface || ""}`;
    badge.textContent = e.interface || "";
    const who = document.createElement("strong");
    who.textContent = e.role;
    const at = document.createElement("span");
    at.textContent = `#${e.seq} · ${new Date(e.createdAt).toISOString().replace("T", " ").slice(0, 19)} · ${e.tokens} tokens`;
    meta.append(badge, who, at);
    li.appendChild(meta);
    const body = document.createElement("div");
    body.className = "content";
    body.textContent = e.content;
    if (e.type === "tool_call" || e.type === "tool_result") {
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = `${e.type.replace("_", " ")}${e.name ? ": " + e.name : ""}`;
      details.append(summary, body);
      li.appendChild(details);
    } else {
      li.appendChild(body);
    }
    return li;
  }

  // Other pages re-read themselves when the server says something changed, and swap in the new content.
  if (!list && document.body.dataset.live === "swap" && !document.querySelector("[data-no-live]")) {
    let timer = 0;
    const refresh = async () => {
      const response = await fetch(location.href, { headers: { accept: "text/html" } });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("main");
      const main = document.querySelector("main");
      if (next && main && !main.contains(document.activeElement)) main.replaceWith(next);
      say(`live · updated ${new Date().toISOString().slice(11, 19)} UTC`);
    };
    const changes = new EventSource("/dashboard/changes");
    changes.addEventListener("ready", () => say("live"));
    changes.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(refresh, 250); });
    changes.onerror = () => say("reconnecting");
  }

  // Buttons that write through the API: data-post="url", optional data-body (JSON, with {value} from data-input),
  // data-confirm (asked first) and data-output (where the answer is shown).
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-post]");
    if (!button) return;
    event.preventDefault();
    if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
    let body = button.dataset.body || null;
    if (body && button.dataset.input) {
      const input = document.querySelector(button.dataset.input);
      body = body.replace("{value}", JSON.stringify(input ? input.value : "").slice(1, -1));
    }
    const output = button.dataset.output ? document.querySelector(button.dataset.output) : null;
    const response = await fetch(button.dataset.post, {
      method: button.dataset.method || "POST",
      headers: body ? { "content-type": "application/json" } : {},
      body,
    });
    const text = await response.text();
    if (!output) return;
    if (!response.ok) {
      output.textContent = `${response.status}: ${text}`;
      return;
    }
    const shown = button.dataset.show && text ? JSON.parse(text)[button.dataset.show] : null;
    output.textContent = shown == null ? "done" : typeof shown === "object" ? `done: ${JSON.stringify(shown)}` : String(shown);
  });
})();
