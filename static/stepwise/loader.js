/*! Stepwise loader: shows the chat launcher at once and loads the widget when the page is
 * idle or on the first click. Plain JavaScript, no dependencies; see docs/widget.md.
 *
 * <script src="https://stepwise.example.com/static/stepwise/loader.js" async
 *   data-key="WRITE_KEY" data-user-id="ada" data-user-hash="HMAC-SHA256 hex"></script>
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || (window.stepwise && window.stepwise.booted)) return;
  var data = script.dataset;
  var src = new URL(script.src, location.href);
  var earlier = window.stepwise && window.stepwise.q;
  var queue = earlier && earlier.push ? earlier : [];
  var config = {
    key: data.key || "",
    userId: data.userId || "",
    userHash: data.userHash || "",
    api: (data.api || src.origin).replace(/\/$/, ""),
    base: src.href.replace(/[^/]*$/, ""),
    name: data.botName || "",
    open: data.open === "true",
    serviceWorker: data.serviceWorker || "/sw.js"
  };

  function stepwise() {
    queue.push(Array.prototype.slice.call(arguments));
  }
  stepwise.q = queue;
  stepwise.booted = true;
  window.stepwise = stepwise;

  var CSS =
    ":host{all:initial}" +
    ".launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;" +
    "border:0;background:#3b2f8f;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);" +
    "display:flex;align-items:center;justify-content:center;z-index:2147483000;padding:0}" +
    ".launcher:focus-visible{outline:3px solid #ffbf47;outline-offset:3px}" +
    ".launcher svg{width:28px;height:28px;fill:currentColor}" +
    ".badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;" +
    "box-sizing:border-box;border-radius:11px;background:#b00020;color:#fff;font:700 13px/22px " +
    "system-ui,sans-serif;text-align:center}" +
    ".badge[hidden]{display:none}";

  var host = document.createElement("div");
  host.setAttribute("data-stepwise", "");
  var root = host.attachShadow({ mode: "open" });
  // Constructed style sheets are not inline styles: a host page's strict CSP allows them.
  if (root.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
  }
  var launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-label", "Open chat");
  launcher.setAttribute("aria-expanded", "false");
  launcher.innerHTML =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 ' +
    '2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>' +
    '<span class="badge" hidden></span>';
  root.appendChild(launcher);

  var state = "idle";
  function load(open) {
    if (open) config.open = true;
    if (state !== "idle") return;
    state = "loading";
    var widget = document.createElement("script");
    widget.src = config.base + "words.js"; // which then loads widget.js
    widget.async = true;
    widget.onerror = function () {
      state = "idle";
    };
    document.head.appendChild(widget);
  }
  function first() {
    launcher.removeEventListener("click", first);
    load(true);
  }
  launcher.addEventListener("click", first);
  stepwise.boot = { config: config, root: root, host: host, launcher: launcher, queue: queue };

  function attach() {
    document.body.appendChild(host);
    var later = window.requestIdleCallback || function (run) { return setTimeout(run, 1500); };
    later(function () { load(false); }, { timeout: 4000 });
  }
  if (document.body) attach();
  else document.addEventListener("DOMContentLoaded", attach);
})();
