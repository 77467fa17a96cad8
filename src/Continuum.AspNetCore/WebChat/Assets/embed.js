/*
 * Continuum web chat. Include it and name an element:
 *   <div id="chat"></div>
 *   <script src="https://continuum.example.org/chat/embed.js" data-target="#chat"></script>
 * or call ContinuumChat.mount(element, { key: "ck_live_..." }) yourself. It talks to the server it was loaded
 * from; the visitor is known by an HttpOnly cookie that server sets, or is the user a key (data-key) is bound to.
 * No dependencies, no build step.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = new URL("./", script && script.src ? script.src : window.location.href).href; // ends in /chat/

  var css = [
    ".cc-root{display:flex;flex-direction:column;height:100%;min-height:320px;border:1px solid #d0d4da;border-radius:10px;background:#fff;font:15px/1.45 system-ui,sans-serif;color:#1d1f23;overflow:hidden}",
    ".cc-log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;margin:0;list-style:none}",
    ".cc-message{max-width:85%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}",
    ".cc-user{align-self:flex-end;background:#2f6fed;color:#fff}",
    ".cc-assistant{align-self:flex-start;background:#eef0f3}",
    ".cc-carried{align-self:flex-start;background:#fff7e0;font-size:13px;color:#5b4a12}",
    ".cc-from{display:block;font-size:11px;opacity:.7;margin-bottom:2px}",
    ".cc-form{display:flex;gap:6px;padding:8px;border-top:1px solid #e3e6ea}",
    ".cc-form textarea{flex:1;resize:none;font:inherit;padding:7px;border:1px solid #c9ced6;border-radius:8px}",
    ".cc-form button,.cc-tools button{font:inherit;border:0;border-radius:8px;padding:6px 12px;background:#2f6fed;color:#fff;cursor:pointer}",
    ".cc-form button:disabled{opacity:.5;cursor:default}",
    ".cc-tools{display:flex;gap:6px;align-items:center;padding:6px 8px;border-top:1px solid #eef0f3;font-size:13px}",
    ".cc-tools input{font:inherit;width:11em;padding:4px 6px;border:1px solid #c9ced6;border-radius:6px}",
    ".cc-tools button{background:#5c6670;padding:4px 10px}",
    ".cc-status{flex:1;text-align:right;color:#5c6670}",
    ".cc-status.cc-error{color:#b3261e}"
  ].join("\n");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function addStyle(doc) {
    if (doc.getElementById("continuum-chat-style")) return;
    var style = el("style");
    style.id = "continuum-chat-style";
    style.textContent = css;
    doc.head.appendChild(style);
  }

  function randomKey() {
    if (window.crypto && window.crypto.randomUUID) return "web-" + window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  async function problemText(response) {
    try {
      var problem = await response.json();
      return problem.detail || problem.title || ("HTTP " + response.status);
    } catch (e) {
      return "HTTP " + response.status;
    }
  }

  // Reads a text/event-stream body and calls onEvent(name, data) for each event.
  async function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      var end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        var block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        var name = "message", data = [];
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
        });
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }

  function mount(target, options) {
    var key = (options && options.key) || (script && script.getAttribute("data-key")) || null;
    function call(path, init) {
      init = init || {};
      init.credentials = "include";
      init.headers = init.headers || {};
      if (key) init.headers["Authorization"] = "Bearer " + key;
      return fetch(base + path, init);
    }
    var host = typeof target === "string" ? document.querySelector(target) : target;
    if (!host) throw new Error("ContinuumChat: no element " + target);
    addStyle(host.ownerDocument);

    var root = el("div", "cc-root");
    root.setAttribute("data-continuum-chat", "");
    var log = el("ol", "cc-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    var form = el("form", "cc-form");
    var input = el("textarea");
    input.name = "message";
    input.rows = 2;
    input.placeholder = "Message";
    input.setAttribute("aria-label", "Message");
    var send = el("button", "", "Send");
    send.type = "submit";
    form.appendChild(input);
    form.appendChild(send);

    var tools = el("div", "cc-tools");
    var code = el("input");
    code.name = "link-code";
    code.placeholder = "Link code";
    code.setAttribute("aria-label", "Link code");
    var link = el("button", "", "Link");
    link.type = "button";
    link.name = "link";
    var fresh = el("button", "", "New");
    fresh.type = "button";
    fresh.name = "new";
    fresh.title = "Start a new conversation";
    var status = el("span", "cc-status");
    status.setAttribute("role", "status");
    tools.appendChild(code);
    tools.appendChild(link);
    tools.appendChild(fresh);
    tools.appendChild(status);

    root.appendChild(log);
    root.appendChild(form);
    root.appendChild(tools);
    host.appendChild(root);

    function say(text, isError) {
      status.textContent = text || "";
      status.className = "cc-status" + (isError ? " cc-error" : "");
    }

    function bubble(role, text, from) {
      var item = el("li", "cc-message cc-" + role);
      if (from) item.appendChild(el("span", "cc-from", from));
      var body = el("span", "cc-text", text);
      item.appendChild(body);
      log.appendChild(item);
      log.scrollTop = log.scrollHeight;
      return body;
    }

    async function loadHistory() {
      var response = await call("api/history");
      if (!response.ok) { say(await problemText(response), true); return; }
      var history = await response.json();
      log.textContent = "";
      if (history.carriedOver) {
        history.carriedOver.messages.forEach(function (m) {
          bubble("carried", m.content, m.role + " on " + m.interface);
        });
      }
      history.messages.forEach(function (m) { bubble(m.role, m.content); });
      root.setAttribute("data-session", history.sessionId || "");
    }

    async function sendMessage(text) {
      bubble("user", text);
      var answer = bubble("assistant", "");
      answer.parentNode.setAttribute("data-streaming", "");
      send.disabled = true;
      say("…");
      try {
        var response = await call("api/messages", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
          body: JSON.stringify({ text: text, idempotencyKey: randomKey() })
        });
        if (!response.ok) {
          answer.parentNode.remove();
          say(await problemText(response), true);
          return;
        }
        var failed = null;
        await readEvents(response, function (name, data) {
          if (name === "start") root.setAttribute("data-session", data.sessionId);
          else if (name === "delta") { answer.textContent += data.text; log.scrollTop = log.scrollHeight; }
          else if (name === "error") failed = data.detail;
        });
        say(failed || "", !!failed);
      } catch (e) {
        say("Connection lost: " + e.message, true);
      } finally {
        answer.parentNode.removeAttribute("data-streaming");
        send.disabled = false;
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text || send.disabled) return;
      input.value = "";
      sendMessage(text);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    link.addEventListener("click", async function () {
      var value = code.value.trim();
      if (!value) { say("Enter the code your other chat showed.", true); return; }
      var response = await call("api/link", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ code: value })
      });
      if (!response.ok) { say(await problemText(response), true); return; }
      var linked = await response.json();
      code.value = "";
      await loadHistory();
      say(linked.continuedFromInterface ? "Linked: continuing your " + linked.continuedFromInterface + " conversation." : "Linked.");
    });

    fresh.addEventListener("click", async function () {
      var response = await call("api/new", { method: "POST" });
      if (!response.ok) { say(await problemText(response), true); return; }
      await loadHistory();
      say("New conversation.");
    });

    loadHistory().catch(function (e) { say("Cannot reach the chat: " + e.message, true); });
    return { reload: loadHistory, send: sendMessage };
  }

  window.ContinuumChat = { mount: mount };

  var auto = script && script.getAttribute("data-target");
  if (auto) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { mount(auto); });
    else mount(auto);
  }
})();
