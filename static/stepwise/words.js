/*! Stepwise widget words: the widget's own words in the person's language, and relative
 * times. Loaded by loader.js before widget.js; one file per language in i18n/ (e.g.
 * i18n/fr.js), tried from the most precise locale down: fr-CA → fr → en. See docs/widget.md.
 */
(function () {
  "use strict";
  var boot = window.stepwise && window.stepwise.boot;
  if (!boot || boot.i18n) return;
  var base = boot.config.base;
  var known = {}; // code -> its words, or null when there is no file for it
  var waiting = {};

  // "fr_ca" -> "fr-CA"; "" or junk -> "".
  function normal(locale) {
    var parts = String(locale || "").split(/[-_]/);
    if (!/^[a-z]{2,3}$/i.test(parts[0])) return "";
    return parts.map(function (part, i) {
      if (!i) return part.toLowerCase();
      return part.length === 2 ? part.toUpperCase() : part.charAt(0).toUpperCase() + part.slice(1).toLowerCase();
    }).join("-");
  }
  // The codes to try, most precise first, English last: "fr-CA" -> fr-CA, fr, en.
  function chain(locale) {
    var codes = [];
    var parts = normal(locale).split("-");
    for (var n = parts.length; n > 0 && parts[0]; n--) codes.push(parts.slice(0, n).join("-"));
    if (codes.indexOf("en") < 0) codes.push("en");
    return codes;
  }
  function load(code, done) {
    if (code in known) return done(known[code]);
    if (waiting[code]) return waiting[code].push(done);
    waiting[code] = [done];
    var script = document.createElement("script");
    script.src = base + "i18n/" + code + ".js";
    script.async = true;
    function settle() {
      if (!(code in known)) known[code] = null;
      waiting[code].splice(0).forEach(function (then) { then(known[code]); });
    }
    script.onload = settle;
    script.onerror = settle;
    document.head.appendChild(script);
  }

  var i18n = {
    lang: "en",
    words: {},
    // Called by each language file: stepwise.boot.i18n.add("fr", {...}).
    add: function (code, words) {
      known[code] = words;
    },
    // Takes the first language of the locale's chain that has a file, then calls done.
    use: function (locale, done) {
      var codes = chain(locale);
      (function next(i) {
        load(codes[i], function (words) {
          if (!words && i + 1 < codes.length) return next(i + 1);
          i18n.lang = codes[i];
          i18n.words = words || {};
          if (done) done();
        });
      })(0);
    },
    // The words for key, with {name} filled from values.
    t: function (key, values) {
      var text = i18n.words[key] != null ? i18n.words[key] : key;
      return text.replace(/\{(\w+)\}/g, function (all, name) {
        return values && values[name] != null ? values[name] : all;
      });
    },
    // "2 minutes ago" / "il y a 2 minutes", from an ISO date; "" when it cannot tell.
    ago: function (iso) {
      var seconds = (new Date(iso).getTime() - Date.now()) / 1000;
      if (!window.Intl || !Intl.RelativeTimeFormat || isNaN(seconds)) return "";
      var format = new Intl.RelativeTimeFormat(i18n.lang, { numeric: "auto" });
      var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
      for (var i = 0; i < units.length; i++) {
        if (Math.abs(seconds) >= units[i][1]) return format.format(Math.round(seconds / units[i][1]), units[i][0]);
      }
      return format.format(0, "second");
    },
    // Puts the words into a part of the widget: data-t (its text), data-t-label (its
    // aria-label), <time datetime> (how long ago), and lang.
    apply: function (node) {
      node.setAttribute("lang", i18n.lang);
      node.querySelectorAll("[data-t]").forEach(function (part) {
        part.textContent = i18n.t(part.getAttribute("data-t"));
      });
      node.querySelectorAll("[data-t-label]").forEach(function (part) {
        part.setAttribute("aria-label", i18n.t(part.getAttribute("data-t-label")));
      });
      node.querySelectorAll("time[datetime]").forEach(function (part) {
        part.textContent = i18n.ago(part.getAttribute("datetime"));
      });
    }
  };
  boot.i18n = i18n;

  // Before the server says the contact's locale, the browser's language chooses.
  i18n.use(navigator.language, function () {
    var widget = document.createElement("script");
    widget.src = base + "widget.js";
    widget.async = true;
    document.head.appendChild(widget);
  });
})();
