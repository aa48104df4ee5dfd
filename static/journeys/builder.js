/* Stepwise builder: the little behaviour htmx does not give for free.
   No inline scripts (CSP): everything reads data- attributes. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function say(text, isError) {
    var box = document.getElementById("builder-toast");
    if (!box) return;
    box.innerHTML = "";
    var p = document.createElement("p");
    p.className = isError ? "toast-error" : "toast-ok";
    p.textContent = text;
    box.appendChild(p);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
    // What replaces the editor (a save, another card) keeps the contact of "Preview as".
    var previewAs = document.getElementById("preview-contact");
    var target = event.detail.target;
    if (previewAs && previewAs.value && target && target.id === "editor") {
      event.detail.parameters.contact = previewAs.value;
    }
  });

  // A request that could not reach the server, or that failed there, loses nothing:
  // the form is not swapped, so what was typed stays on the screen.
  document.addEventListener("htmx:sendError", function () {
    say("Stepwise could not be reached, so nothing was saved. What you typed is still here; it will be saved with your next change.", true);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    say("Something went wrong on the server (error " + status + "), so nothing was saved. What you typed is still here.", true);
  });

  window.Stepwise = window.Stepwise || {};
  window.Stepwise.say = say;
})();

/* The canvas: conditions added without a round trip, undo/redo from the keyboard,
   the editor focused after it opens, and a problem's card highlighted. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".add-condition");
    if (!button) return;
    var prefix = button.getAttribute("data-formset");
    var template = button.parentNode.querySelector('template.empty-condition[data-formset="' + prefix + '"]');
    var total = button.parentNode.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    if (!template || !total) return;
    var index = parseInt(total.value, 10) || 0;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var added = holder.firstElementChild;
    button.parentNode.insertBefore(added, button);
    total.value = String(index + 1);
    var none = button.parentNode.querySelector("[data-no-conditions]");
    if (none) none.hidden = true;  // there is one now
    var first = added.querySelector("select, input");
    if (first) first.focus();
  });

  document.addEventListener("keydown", function (event) {
    var field = event.target.closest("input, textarea, select, [contenteditable]");
    if (field || !(event.ctrlKey || event.metaKey)) return;
    var key = event.key.toLowerCase();
    var id = key === "z" && !event.shiftKey ? "undo-button" : (key === "y" || (key === "z" && event.shiftKey)) ? "redo-button" : "";
    var button = id ? document.getElementById(id) : null;
    if (button && !button.disabled) {
      event.preventDefault();
      // A button swapped in a moment ago may not be wired by htmx yet (that happens on
      // settle): wire it now; htmx does nothing twice.
      if (window.htmx) window.htmx.process(button);
      button.click();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "editor" && !target.contains(document.activeElement)) {
      var heading = document.querySelector("#editor h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: false });
      }
    }
    var selected = document.querySelector("#editor form[hx-post]");
    document.querySelectorAll(".card-selected").forEach(function (card) { card.classList.remove("card-selected"); });
    if (selected) {
      var match = selected.getAttribute("hx-post").match(/steps\/([^/]+)\/$/);
      var card = match ? document.getElementById("card-" + decodeURIComponent(match[1])) : null;
      if (card) card.classList.add("card-selected");
    }
  });

  document.addEventListener("focusin", function (event) {
    var link = event.target.closest("[data-card]");
    document.querySelectorAll(".card-highlight").forEach(function (card) { card.classList.remove("card-highlight"); });
    if (link) {
      var card = document.getElementById(link.getAttribute("data-card"));
      if (card) card.classList.add("card-highlight");
    }
  });
})();

/* A saved change tells every panel (validation, preview) to refresh itself. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    var said = xhr ? xhr.getResponseHeader("HX-Trigger") : "";
    var main = event.detail.target && event.detail.target.id === "editor";
    if (said === "draft-saved" && main && window.htmx && !xhr.stepwiseAnnounced) {
      xhr.stepwiseAnnounced = true;  // once per response, not once per out-of-band swap
      window.htmx.trigger(document.body, "draft-changed");
    }
  });
})();

/* A message's editor shows only the fields its channel uses (an SMS has no subject). */
(function () {
  "use strict";
  function fieldsFor(box, channel) {
    var found = [];
    (box.getAttribute("data-channel-fields") || "").split(";").forEach(function (part) {
      var pair = part.split(":");
      if (pair[0] === channel) found = (pair[1] || "").split(",");
    });
    return found;
  }
  function showFields(root) {
    var select = root.querySelector("#id_channel");
    var box = root.querySelector(".variants[data-channel-fields]");
    if (!select || !box) return;
    var shown = fieldsFor(box, select.value);
    box.querySelectorAll(".variant-field").forEach(function (row) {
      var name = row.getAttribute("data-field");
      row.hidden = !(name === "name" || name === "weight" || shown.indexOf(name) !== -1);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "id_channel") showFields(document);
  });
  document.addEventListener("htmx:afterSettle", function () { showFields(document); });
  document.addEventListener("DOMContentLoaded", function () { showFields(document); });
})();

/* A dry run lights up the cards it reached. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var list = document.querySelector("#dry-run .timeline[data-reached]");
    document.querySelectorAll(".card-reached").forEach(function (card) { card.classList.remove("card-reached"); });
    if (!list) return;
    (list.getAttribute("data-reached") || "").split(" ").forEach(function (id) {
      var card = id ? document.getElementById("card-" + id) : null;
      if (card) card.classList.add("card-reached");
    });
  });
})();

/* "Personalise": put the value picked, with what to write when it is empty, where the
   cursor was in its field; the person never types {{ }} or |. */
(function () {
  "use strict";
  function quoted(text) {
    if (text.indexOf('"') < 0) return '"' + text + '"';
    if (text.indexOf("'") < 0) return "'" + text + "'";
    return '"' + text.replace(/"/g, "\u201d") + '"';
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert]");
    if (!button) return;
    var box = button.closest("[data-personalise]");
    var field = box && document.getElementById(box.getAttribute("data-personalise"));
    var pick = box && box.querySelector("[data-pick]");
    if (!field || !pick) return;
    if (!pick.value) {
      box.querySelector("[data-inserted]").textContent = "Choose what to show first.";
      pick.focus();
      return;
    }
    var empty = box.querySelector("[data-empty]").value.trim();
    var text = "{{ " + pick.value + (empty ? " | default: " + quoted(empty) : "") + " }}";
    var start = field.selectionStart === null ? field.value.length : field.selectionStart;
    var end = field.selectionEnd === null ? start : field.selectionEnd;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    var said = pick.options[pick.selectedIndex].text.split(" (for example")[0];
    box.querySelector("[data-inserted]").textContent =
      "Added “" + said + "”" + (empty ? ", or “" + empty + "” when empty" : "") + ". Press Save to keep it.";
  });
})();

/* Drag a card up or down its path (SortableJS); the server moves it as "Up"/"Down" would,
   so a drop that the journey's paths do not allow is refused in words and redrawn. */
(function () {
  "use strict";
  function wire() {
    if (!window.Sortable || !window.htmx) return;
    document.querySelectorAll("#canvas ul.steps").forEach(function (list) {
      if (list.stepwiseSortable || !list.querySelector("li.card .card-tools")) return;
      list.stepwiseSortable = window.Sortable.create(list, {
        draggable: "li.card",
        filter: "a, button, summary, input, select, textarea",
        preventOnFilter: false,
        animation: 120,
        forceFallback: true,  // mouse and touch events, the same in every browser
        onEnd: function (event) {
          var from = event.oldDraggableIndex, to = event.newDraggableIndex;
          if (from === undefined || to === undefined || from === to) return;
          var card = event.item;
          var step = card.getAttribute("data-step");
          var button = card.querySelector(".card-tools button[hx-post]");
          if (!step || !button) return;
          if (window.Stepwise.staysForUnsaved && window.Stepwise.staysForUnsaved()) {
            event.from.removeChild(card);  // back where it was: the editor's changes stay
            event.from.insertBefore(card, event.from.children[event.oldIndex] || null);
            return;
          }
          window.htmx.ajax("POST", button.getAttribute("hx-post"), {
            target: "#editor",
            swap: "outerHTML",
            values: {
              direction: to < from ? "up" : "down",
              places: String(Math.abs(to - from)),
              revision: (document.getElementById("draft-revision") || {}).value || ""
            }
          });
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", wire);
  document.addEventListener("htmx:afterSettle", wire);
})();

/* The "+" menu: one open at a time, closed by a choice in it, by Escape or by a click
   elsewhere, and placed in the window (below the "+", or above it when there is more room
   there), so neither the canvas's scrolling box nor the window's edge cuts it off. A
   choice refused (Cancel, to keep an editor's changes) leaves no menu over the cards. */
(function () {
  "use strict";
  var MARGIN = 8;
  function place(details) {
    var menu = details.querySelector(".palette");
    var plus = details.querySelector("summary");
    if (!menu || !plus) return;
    menu.style.maxHeight = "";
    var at = plus.getBoundingClientRect();
    var width = menu.offsetWidth;
    var below = window.innerHeight - at.bottom - 2 * MARGIN;
    var above = at.top - 2 * MARGIN;
    var up = menu.scrollHeight > below && above > below;
    menu.style.maxHeight = Math.max(up ? above : below, 120) + "px";
    var left = Math.min(Math.max(MARGIN, at.left + at.width / 2 - width / 2), window.innerWidth - width - MARGIN);
    menu.style.left = left + "px";
    menu.style.top = up ? "" : (at.bottom + 4) + "px";
    menu.style.bottom = up ? (window.innerHeight - at.top + 4) + "px" : "";
  }
  function openMenus() { return document.querySelectorAll("details.add-step[open]"); }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details.add-step") || !details.open) return;
    openMenus().forEach(function (other) { if (other !== details) other.open = false; });
    place(details);
  }, true);
  window.addEventListener("resize", function () { openMenus().forEach(place); });
  // The page or the canvas scrolled: the menu follows its "+". Not for a scroll inside the
  // menu itself: placing it again clears its height, which sends its list back to the top
  // under the pointer (a wheel, or a click on an item just scrolled to, hit another item).
  document.addEventListener("scroll", function (event) {
    openMenus().forEach(function (details) { if (!details.contains(event.target)) place(details); });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (details) {
      details.open = false;
      details.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (details) { if (!details.contains(event.target)) details.open = false; });
  });
  // A choice made, sent or refused: closed once htmx has taken the request (each kind is a
  // button with its own hx-post, so closing the menu then loses nothing).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var details = elt && elt.closest && elt.closest("details.add-step[open]");
    if (!details) return;
    var focused = details.contains(document.activeElement);
    details.open = false;
    if (focused) details.querySelector("summary").focus();  // not lost in a closed menu
  });
})();

/* Edits are never lost without asking. A step's editor keeps its changes until Save;
   typing marks it unsaved (the server marks an editor it sends back unsaved: a refused
   or stale save). While it is, whatever would put something else in the editor, leave
   the canvas or leave the page asks first: in the builder's words for its own links and
   requests (and the back button within the canvas), in the browser's for a reload or a
   closed tab. */
(function () {
  "use strict";
  var shownUrl = location.href;  // the address of what the editor shows now

  function unsaved() {
    return document.querySelector("#editor form.step-form[data-unsaved]");
  }
  // Asked once: leaving lets the changes go, so nothing asks again on the way out.
  function mayLeave(form) {
    var leave = window.confirm(form.getAttribute("data-leave-question") || "Leave without saving your changes?");
    if (leave) form.removeAttribute("data-unsaved");
    return leave;
  }
  window.Stepwise = window.Stepwise || {};
  window.Stepwise.staysForUnsaved = function () {
    var form = unsaved();
    return Boolean(form) && !mayLeave(form);
  };

  function markUnsaved(event) {
    var form = event.target.closest && event.target.closest("#editor form.step-form");
    if (form) form.setAttribute("data-unsaved", "");
  }
  document.addEventListener("input", markUnsaved);
  document.addEventListener("change", markUnsaved);

  // Another card, a problem's link, a "+", a card's tools, undo: all replace the editor.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = unsaved();
    var target = event.detail.target;
    if (!form || !target || target.id !== "editor" || form.contains(event.detail.elt)) return;
    if (!mayLeave(form)) event.preventDefault();
  });

  // A link away from the canvas (breadcrumbs, Versions, Publish…).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    var form = unsaved();
    if (!form || !link || event.defaultPrevented || link.hasAttribute("hx-get")) return;
    if (link.target || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    if (link.getAttribute("href").charAt(0) === "#") return;
    if (!mayLeave(form)) event.preventDefault();
  });

  // A reload, a closed tab, or the back button to another page: the browser asks.
  window.addEventListener("beforeunload", function (event) {
    if (!unsaved()) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // The back button within the canvas (a card opened earlier): htmx would fetch that
  // page and swap it in; asked first, and staying puts the address back.
  document.addEventListener("htmx:pushedIntoHistory", function () { shownUrl = location.href; });
  document.addEventListener("htmx:historyRestore", function () { shownUrl = location.href; });
  document.addEventListener("htmx:historyCacheMiss", function (event) {
    var form = unsaved();
    if (!form) return;
    if (mayLeave(form)) return;
    event.preventDefault();
    window.history.pushState({ htmx: true }, "", shownUrl);
  });
})();

/* "Send me a test" for a channel whose tests go to this browser (data-browser-key): ask
   for permission to show notifications (the browser asks the person the first time),
   register Stepwise's service worker, subscribe with the server's key, and send the
   subscription as the test's address. */
(function () {
  "use strict";

  function keyBytes(text) {
    var raw = atob((text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  function active(registration) {
    var worker = registration.installing || registration.waiting || registration.active;
    if (worker.state === "activated") return Promise.resolve(registration);
    return new Promise(function (done) {
      worker.addEventListener("statechange", function () {
        if (worker.state === "activated") done(registration);
      });
    });
  }

  function subscription(form) {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      return Promise.reject(new Error("this browser cannot show notifications from a web page: try a recent Chrome, Firefox, Edge or Safari."));
    }
    if (!form.dataset.browserKey) {
      return Promise.reject(new Error("browser notifications are not set up on this Stepwise yet (an administrator sets the VAPID keys)."));
    }
    return Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") {
        throw new Error("Not sent: this browser does not allow notifications from this site. Allow them (the padlock or site settings beside the address), then try again.");
      }
      return navigator.serviceWorker.register(form.dataset.worker, { scope: form.dataset.scope });
    }).then(active).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (found) {
        return found || registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(form.dataset.browserKey)
        });
      });
    });
  }

  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.test-send-browser")) return;
    event.preventDefault();
    var status = form.nextElementSibling;
    status.textContent = "";
    subscription(form).then(function (found) {
      form.elements.to.value = JSON.stringify(found.toJSON());
      event.detail.issueRequest(true);
    }).catch(function (error) {
      var p = document.createElement("p");
      p.className = "field-error";
      p.textContent = error.message.indexOf("Not sent") === 0 ? error.message : "Not sent: " + error.message;
      status.appendChild(p);
    });
  });
})();
