/*! Stepwise chat widget: the contact's chat with the journey's bot, live. Loaded by
 * loader.js into its shadow root; plain JavaScript, no dependencies. See docs/widget.md.
 */
(function () {
  "use strict";
  var stepwise = window.stepwise;
  if (!stepwise || !stepwise.boot || stepwise.widget) return;
  var boot = stepwise.boot;
  var config = boot.config;
  var root = boot.root;
  var launcher = boot.launcher;
  var badge = launcher.querySelector(".badge");
  var i18n = boot.i18n;
  var t = i18n.t;
  var userPath = config.api + "/v1/contacts/" + encodeURIComponent(config.userId);

  var CSS =
    ".panel{position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 40px);" +
    "height:520px;max-height:calc(100vh - 120px);display:flex;flex-direction:column;background:#fff;" +
    "color:#1d1d1f;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden;" +
    "font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;z-index:2147483000}" +
    ".panel[hidden]{display:none}" +
    ".head{display:flex;align-items:center;gap:10px;padding:12px 14px;background:#3b2f8f;color:#fff}" +
    ".avatar{width:36px;height:36px;border-radius:50%;flex:none;background:#ece9ff;color:#3b2f8f;" +
    "display:flex;align-items:center;justify-content:center;font-weight:700;overflow:hidden}" +
    ".avatar img{width:100%;height:100%;object-fit:cover}" +
    ".who{flex:1;min-width:0}.who h2{margin:0;font-size:16px;line-height:1.2}" +
    ".who p{margin:2px 0 0;font-size:13px;color:#e4e0ff}" +
    ".close{border:0;background:transparent;color:#fff;font-size:26px;line-height:1;cursor:pointer;" +
    "width:40px;height:40px;border-radius:8px}" +
    "button:focus-visible,a:focus-visible,textarea:focus-visible,input:focus-visible{" +
    "outline:3px solid #ffbf47;outline-offset:2px}" +
    ".log{flex:1;overflow-y:auto;padding:14px;background:#f6f5fb}" +
    ".lines{margin:0;padding:0;list-style:none}" +
    ".log li{display:flex;gap:8px;margin:0 0 10px;align-items:flex-end}" +
    ".log li.user{justify-content:flex-end}" +
    ".bubble{max-width:78%;padding:9px 12px;border-radius:14px;white-space:pre-wrap;" +
    "overflow-wrap:anywhere;background:#fff;border:1px solid #dcd8ee}" +
    ".user .bubble{background:#3b2f8f;color:#fff;border-color:#3b2f8f}" +
    ".log .avatar{width:28px;height:28px;font-size:13px}" +
    ".subject{display:block;font-weight:700;margin-bottom:2px}" +
    ".from{display:block;font-size:12px;font-weight:700;color:#3b2f8f;margin-bottom:2px}" +
    ".staff .bubble{border-color:#3b2f8f;border-width:1px 1px 1px 4px}" +
    ".staff .avatar{background:#3b2f8f;color:#fff}" +
    ".pending .bubble{opacity:.75;border-style:dashed}" +
    ".note{display:block;font-size:12px;margin-top:4px}" +
    ".cta{display:inline-block;margin-top:8px;padding:7px 12px;border-radius:8px;background:#3b2f8f;" +
    "color:#fff;text-decoration:none;font-weight:600}" +
    ".replies{display:flex;flex-wrap:wrap;gap:8px;padding:8px 14px 0;background:#fff}" +
    ".replies[hidden]{display:none}" +
    ".replies button{border:1px solid #3b2f8f;background:#fff;color:#3b2f8f;border-radius:16px;" +
    "padding:6px 12px;font:inherit;cursor:pointer}" +
    ".replies button:hover{background:#ece9ff}" +
    "form{display:flex;gap:8px;padding:10px 14px 12px;background:#fff;border-top:1px solid #e6e3f2}" +
    "input{flex:1;min-width:0;border:1px solid #767287;border-radius:8px;padding:8px 10px;" +
    "font:inherit;font-size:16px;color:#1d1d1f;background:#fff}" +
    ".send{border:0;border-radius:8px;background:#3b2f8f;color:#fff;font:inherit;font-weight:600;" +
    "padding:8px 14px;cursor:pointer}" +
    ".status{margin:0;padding:0 14px 6px;background:#fff;font-size:13px;color:#5d5a6b;min-height:0}" +
    ".problem{color:#b00020}" +
    ".when{align-self:flex-end;font-size:11px;color:#5d5a6b;white-space:nowrap}" +
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;" +
    "clip:rect(0 0 0 0);white-space:nowrap;border:0}";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text != null) node.textContent = text;
    return node;
  }
  function addStyles(css) {
    if (root.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = root.adoptedStyleSheets.concat([sheet]);
    } else {
      root.appendChild(el("style", {}, css));
    }
  }
  addStyles(CSS);

  // --- the panel ---------------------------------------------------------------------
  var panelId = "stepwise-chat";
  var panel = el("section", { class: "panel", id: panelId, role: "dialog", hidden: "" });
  var header = el("div", { class: "head" });
  var headAvatar = el("div", { class: "avatar", "aria-hidden": "true" });
  var who = el("div", { class: "who" });
  var title = el("h2", { id: "stepwise-title" });
  var subtitle = el("p", { "data-t": "bot" });
  who.appendChild(title);
  who.appendChild(subtitle);
  var close = el("button", { type: "button", class: "close", "data-t-label": "close chat" }, "×");
  header.appendChild(headAvatar);
  header.appendChild(who);
  header.appendChild(close);
  // The log is not a live region itself: the announcer below says each new line once.
  var log = el("div", { class: "log", role: "log", "aria-live": "off", "data-t-label": "conversation", tabindex: "0" });
  var list = el("ol", { class: "lines" });
  log.appendChild(list);
  var replies = el("div", { class: "replies", role: "group", "data-t-label": "quick replies", hidden: "" });
  var status = el("p", { class: "status", role: "status" });
  var form = el("form", { novalidate: "" });
  var inputId = "stepwise-input";
  var label = el("label", { class: "sr", for: inputId });
  var input = el("input", { id: inputId, type: "text", autocomplete: "off", maxlength: "1000" });
  var send = el("button", { type: "submit", class: "send", "data-t": "send" });
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  panel.setAttribute("aria-labelledby", "stepwise-title");
  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(replies);
  panel.appendChild(status);
  panel.appendChild(form);
  root.appendChild(panel);
  // Announces each new line from the bot or the team once, open or closed.
  var announcer = el("div", { class: "sr announcer", "aria-live": "polite", "aria-relevant": "additions" });
  root.appendChild(announcer);
  launcher.setAttribute("aria-controls", panelId);

  var bot = { name: config.name || "", avatar: "" };
  var seen = 0; // the highest chat line shown: every line is shown once, in order
  var lines = {};
  var chat = { last: 0, unread: 0, open: null };

  function setBot(next) {
    if (next && next.name) bot = { name: next.name, avatar: next.avatar || "" };
    var name = bot.name || t("assistant");
    title.textContent = name;
    fillAvatar(headAvatar, { name: name, avatar: bot.avatar });
    panel.setAttribute("aria-label", t("chat with", { name: name }));
  }
  function fillAvatar(node, who) {
    node.textContent = "";
    if (who.avatar) {
      node.appendChild(el("img", { src: new URL(who.avatar, config.api + "/").href, alt: "" }));
    } else {
      node.textContent = (who.name || "?").charAt(0).toUpperCase();
    }
  }
  // The words that stay put, in the language chosen; again once the contact's is known.
  function relabel() {
    i18n.apply(panel);
    setBot(null);
    showState(chat);
  }
  relabel();
  setInterval(relabel, 60000); // "just now" becomes "1 minute ago"
  var spoken = "";
  function speak(locale) {
    if (!locale || locale === spoken) return;
    spoken = locale;
    tell({ locale: locale });
    i18n.use(locale, relabel);
  }

  // --- the API -----------------------------------------------------------------------
  function headers(json) {
    var h = {
      Authorization: "Basic " + btoa(config.key + ":"),
      "X-Stepwise-User-Hash": config.userHash
    };
    if (json) h["Content-Type"] = "application/json";
    return h;
  }
  function call(method, path, body, options) {
    var init = { method: method, headers: headers(body !== undefined), mode: "cors" };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (options && options.keepalive) init.keepalive = true;
    return fetch(path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var refused = new Error(data.message || data.error || t("unreachable"));
          refused.status = response.status;
          throw refused;
        }
        return data;
      });
    });
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function track(name, properties) {
    return call("POST", config.api + "/v1/track", {
      userId: config.userId,
      event: String(name),
      properties: properties || {},
      messageId: "web-" + uuid(),
      timestamp: new Date().toISOString(),
      context: {
        library: { name: "stepwise-widget", version: "1" },
        page: { url: location.href, path: location.pathname, title: document.title }
      }
    }, { keepalive: true });
  }

  // --- showing lines -----------------------------------------------------------------
  // Who said a line, in words: "You", the bot's name, or a person of the team by name.
  function speakerOf(line) {
    if (line.author === "user") return t("you");
    if (line.author === "staff") return t("a person", { name: (line.person && line.person.name) || t("the team") });
    return bot.name || t("assistant");
  }
  var announced = 0;
  function announce(line) {
    if (line.author === "user" || line.seq <= announced) return;
    announced = line.seq;
    announcer.appendChild(el("p", {}, speakerOf(line) + ": " + line.text));
    while (announcer.childNodes.length > 5) announcer.removeChild(announcer.firstChild);
  }

  function show(line) {
    if (!line || typeof line.seq !== "number" || line.seq <= seen) return;
    seen = line.seq;
    lines[line.seq] = line;
    if (line.bot) setBot(line.bot);
    if (line.key) unqueue(line.key);
    var item = el("li", { class: line.author, "data-seq": String(line.seq) });
    if (line.author !== "user") {
      var avatar = el("div", { class: "avatar", "aria-hidden": "true" });
      fillAvatar(avatar, line.author === "staff" ? { name: (line.person && line.person.name) || "T" } : line.bot || bot);
      item.appendChild(avatar);
    }
    var bubble = el("div", { class: "bubble" });
    if (line.author === "staff") {
      bubble.appendChild(el("span", { class: "from" }, speakerOf(line)));
    } else {
      bubble.appendChild(el("span", { class: "sr" }, speakerOf(line) + ": "));
    }
    if (line.subject) bubble.appendChild(el("strong", { class: "subject" }, line.subject));
    bubble.appendChild(document.createTextNode(line.text));
    if (isLink(line.url)) {
      bubble.appendChild(document.createElement("br"));
      var link = el("a", { class: "cta", href: line.url, "data-seq": String(line.seq) }, line.cta || t("open"));
      link.addEventListener("click", follow);
      bubble.appendChild(link);
    }
    item.appendChild(bubble);
    if (line.at) item.appendChild(el("time", { class: "when", datetime: line.at }, i18n.ago(line.at)));
    list.insertBefore(item, firstPending());
    log.scrollTop = log.scrollHeight;
    announce(line);
  }

  function showState(next) {
    if (!next) return;
    chat = next;
    var unread = panel.hidden ? chat.unread : 0;
    badge.hidden = !unread;
    badge.textContent = unread > 9 ? "9+" : String(unread || "");
    launcher.setAttribute(
      "aria-label",
      t(panel.hidden ? "open chat" : "close chat") + (unread ? ", " + t("unread", { count: unread }) : "")
    );
    renderQuestion();
    if (!panel.hidden) markRead();
  }

  function openQuestion() {
    var line = chat.open != null ? lines[chat.open] : null;
    return line && line.kind === "question" ? line : null;
  }

  function renderQuestion() {
    var question = openQuestion();
    replies.textContent = "";
    var choices = (question && question.replies) || [];
    choices.forEach(function (choice) {
      var button = el("button", { type: "button" }, choice.label);
      button.addEventListener("click", function () {
        if (choice.allow_notifications) allowNotifications();
        reply({ text: choice.label, value: choice.value, question: question.seq });
        input.focus(); // the buttons go away with the question: keep the keyboard in the chat
      });
      replies.appendChild(button);
    });
    replies.hidden = !choices.length;
    var answer = (question && question.answer) || {};
    input.type = answer.type === "email" ? "email" : "text";
    input.setAttribute("inputmode", answer.type === "number" ? "decimal" : "text");
    input.maxLength = answer.max_length || 1000;
    input.placeholder = t(question ? "type answer" : "write");
    label.textContent = question ? t("answer to", { question: question.text }) : t("message to", { name: bot.name || t("assistant") });
    log.scrollTop = log.scrollHeight; // the buttons took room: keep the question in view
  }

  // --- notifications: a quick reply that asks for them ---------------------------------
  // The browser asks the person (this runs in their click); once allowed, the product's
  // service worker (config.serviceWorker, which imports Stepwise's push-sw.js) subscribes
  // with Stepwise's key and the subscription is registered for this contact.
  function keyBytes(text) {
    var raw = atob((text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  // A call Stepwise could not take (offline, a 5xx) is tried again, waiting longer each
  // time; one it refused (a 4xx) is not.
  function again(attempt, wait) {
    return attempt().catch(function (error) {
      if ((error.status && error.status < 500) || wait > 16000) throw error;
      return new Promise(function (later) { setTimeout(later, wait); }).then(function () {
        return again(attempt, wait * 2);
      });
    });
  }
  function allowNotifications() {
    if (!window.Notification || !window.PushManager || !("serviceWorker" in navigator)) return;
    var subscriptions = userPath + "/push-subscriptions";
    Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") return null;
      var worker = navigator.serviceWorker.register(config.serviceWorker).then(function () {
        return navigator.serviceWorker.ready;
      });
      var key = again(function () { return call("GET", subscriptions); }, 500);
      return Promise.all([key, worker]).then(function (found) {
        if (!found[0].key) return null;
        var manager = found[1].pushManager;
        return manager.getSubscription().then(function (had) {
          return had || manager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(found[0].key) });
        }).then(function (subscription) {
          var body = subscription.toJSON();
          return again(function () { return call("POST", subscriptions, body); }, 500);
        });
      });
    }).catch(function () { /* the chat goes on; no notifications on this browser */ });
  }

  // --- talking back ------------------------------------------------------------------
  // Every reply goes through an outbox, in order, each with its own key: one typed
  // offline waits (shown as not sent yet) and goes once the connection returns; sent
  // twice after a lost answer, the server keeps it once (docs/widget.md).
  var outbox = [];
  var flushing = false;
  var retryReply = null;

  function firstPending() {
    for (var i = 0; i < outbox.length; i++) {
      if (!outbox[i].done && outbox[i].item.parentNode === list) return outbox[i].item;
    }
    return null;
  }
  function unqueue(key) {
    for (var i = 0; i < outbox.length; i++) {
      if (outbox[i].body.key === key) {
        if (outbox[i].item.parentNode) list.removeChild(outbox[i].item);
        outbox[i].done = true;
      }
    }
  }
  function pendingItem(text) {
    var item = el("li", { class: "user pending" });
    var bubble = el("div", { class: "bubble" });
    bubble.appendChild(el("span", { class: "sr" }, t("you") + ": "));
    bubble.appendChild(document.createTextNode(text));
    bubble.appendChild(el("span", { class: "note" }, t("sending")));
    item.appendChild(bubble);
    list.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }
  function problem(text) {
    status.textContent = text;
    status.classList.toggle("problem", !!text);
  }

  function reply(body) {
    body.key = uuid();
    outbox.push({ body: body, item: pendingItem(body.text) });
    flush();
  }

  function flush() {
    clearTimeout(retryReply);
    while (outbox.length && outbox[0].done) outbox.shift();
    if (flushing || !outbox.length) return;
    flushing = true;
    var next = outbox[0];
    call("POST", userPath + "/chat/replies", next.body)
      .then(function (data) {
        unqueue(next.body.key);
        (data.lines || []).forEach(show);
        showState(data.state);
        problem("");
      }, function (error) {
        if (error.status && error.status < 500) {
          // Refused (too long, say): nothing was kept; the text goes back in the box.
          unqueue(next.body.key);
          if (!input.value) input.value = next.body.text;
          problem(error.message);
          return;
        }
        next.item.querySelector(".note").textContent = t("not sent");
        problem(t("offline"));
        next.wait = Math.min((next.wait || 1000) * 2, 30000);
        retryReply = setTimeout(flush, next.wait);
      })
      .then(function () {
        flushing = false;
        if (outbox.length && !outbox[0].wait) flush();
      });
  }
  window.addEventListener("online", function () {
    outbox.forEach(function (entry) { entry.wait = 0; });
    flush();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var question = openQuestion();
    input.value = "";
    reply(question ? { text: text, question: question.seq } : { text: text });
  });

  // Only an http(s) address or a path starting with a single "/" (as the server checks):
  // never "//host" or "/\\host", which browsers take off-site.
  function isLink(url) {
    return !!url && !/[\\\u0000-\u001f\u007f]/.test(url) &&
      (/^https?:\/\/[^\/]/i.test(url) || /^\/(?!\/)/.test(url));
  }

  // A call-to-action records its click before the page follows the link.
  function follow(event) {
    var link = event.currentTarget;
    var href = link.href;
    var seq = link.getAttribute("data-seq");
    var record = call("POST", userPath + "/chat/" + seq + "/click", {}, { keepalive: true });
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
    event.preventDefault();
    var done = false;
    function go() {
      if (!done) {
        done = true;
        location.href = href;
      }
    }
    record.then(go, go);
    setTimeout(go, 1500);
  }

  var reading = 0;
  function markRead() {
    if (!chat.unread || reading >= chat.last) return;
    reading = chat.last;
    call("POST", userPath + "/chat/read", { up_to: chat.last })
      .then(function (data) { showState(data.state); })
      .catch(function () { reading = 0; });
  }

  // --- opening and closing -----------------------------------------------------------
  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    showState(chat);
    log.scrollTop = log.scrollHeight; // the newest line: it had no layout while hidden
    input.focus();
    connect();
  }
  function shut() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    showState(chat);
    launcher.focus();
  }
  launcher.addEventListener("click", function () {
    if (panel.hidden) open();
    else shut();
  });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") shut();
  });

  // --- the live feed: SSE with Last-Event-ID, else long polling ------------------------
  // The stream's URL carries a single-use token, never the key or the user hash (logs
  // keep URLs): the token is asked for with headers, afresh for every connection. One tab
  // of the browser holds the stream and passes what it hears to the others.
  var source = null;
  var polling = false;
  var failures = 0;
  var everOpened = false;
  var retryTimer = null;
  var leading = false;
  var tabs = window.BroadcastChannel ? new BroadcastChannel("stepwise:" + config.api + ":" + config.userId) : null;

  function tell(message) {
    if (tabs && leading) tabs.postMessage(message);
  }
  if (tabs) {
    tabs.onmessage = function (event) {
      if (leading) return;
      if (event.data.locale) speak(event.data.locale);
      if (event.data.line) show(event.data.line);
      if (event.data.state) showState(event.data.state);
    };
  }

  function lead() {
    // The first tab to take the lock streams; the others listen until it goes away.
    if (!tabs || !navigator.locks) return begin();
    navigator.locks.request("stepwise-stream:" + config.api + ":" + config.userId, function () {
      begin();
      return new Promise(function () {}); // held while this page lives
    });
  }
  function begin() {
    leading = true;
    connect();
  }

  function cursor() {
    return seen ? "&after=" + seen : "";
  }

  function retry() {
    failures += 1;
    if (!everOpened && failures >= 3) return poll(); // SSE never got through: poll instead
    if (failures >= 3 && !panel.hidden) status.textContent = t("reconnecting");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, Math.min(1000 * failures, 10000));
  }

  function connect() {
    if (!leading || polling || source) return;
    if (!window.EventSource) return poll();
    clearTimeout(retryTimer);
    source = {}; // a token is on its way
    call("POST", userPath + "/chat/stream-token", {}).then(function (data) {
      speak(data.locale); // the contact's language, once the server knows it
      source = new EventSource(userPath + "/stream?token=" + encodeURIComponent(data.token) + cursor());
      source.addEventListener("open", function () {
        everOpened = true;
        failures = 0;
        status.textContent = "";
      });
      source.addEventListener("line", function (event) {
        var line = JSON.parse(event.data);
        show(line);
        tell({ line: line });
      });
      source.addEventListener("state", function (event) {
        var state = JSON.parse(event.data);
        showState(state);
        tell({ state: state });
      });
      source.addEventListener("end", function () {
        // The server ended this stream: the next one needs a new token.
        drop();
        connect();
      });
      source.addEventListener("error", function () {
        // Never let the browser retry with the spent token: start over with a new one.
        drop();
        retry();
      });
    }, function () {
      source = null;
      retry();
    });
  }

  function drop() {
    if (source && source.close) source.close();
    source = null;
  }

  function reconnect() {
    // Back online: do not wait for the retry timer.
    if (polling || !leading) return;
    drop();
    connect();
  }

  function poll() {
    polling = true;
    var wait = 0;
    (function next() {
      fetch(userPath + "/stream?transport=poll" + cursor(), { headers: headers(false), mode: "cors" })
        .then(function (response) {
          if (!response.ok) throw new Error("poll " + response.status);
          return response.json();
        })
        .then(function (data) {
          wait = 0;
          status.textContent = "";
          (data.lines || []).forEach(function (line) {
            show(line);
            tell({ line: line });
          });
          showState(data.state);
          tell({ state: data.state });
          next();
        })
        .catch(function () {
          wait = Math.min(wait ? wait * 2 : 1000, 10000);
          setTimeout(next, wait);
        });
    })();
  }

  window.addEventListener("online", reconnect);

  // --- the page's API: stepwise("track", name, properties), ("open"), ("close") --------
  function run(command) {
    var name = command[0];
    if (name === "track") return track(command[1], command[2]);
    if (name === "open") return open();
    if (name === "close") return shut();
  }
  var api = function () {
    return run(Array.prototype.slice.call(arguments));
  };
  api.boot = boot;
  api.booted = true;
  api.widget = true;
  window.stepwise = api;
  boot.queue.splice(0).forEach(run);

  // --- what the browser knows: its time zone and language ------------------------------
  // Sent once per session; Stepwise keeps them only where the product set nothing.
  function tellBrowser() {
    var remembered = "stepwise-browser:" + config.userId;
    try {
      if (sessionStorage.getItem(remembered)) return;
    } catch (ignored) { /* storage off: send it each page */ }
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (ignored) { /* very old browser */ }
    call("POST", userPath + "/browser", { timezone: zone, language: navigator.language || "" })
      .then(function () {
        try { sessionStorage.setItem(remembered, "1"); } catch (ignored) { /* storage off */ }
      })
      .catch(function () { /* not worth a word to the person: tried again next page */ });
  }

  lead();
  tellBrowser();
  if (config.open) open();
})();
