/* Stepwise push notifications in the product's service worker. The product hosts a
   one-line worker at its own origin:
       importScripts("https://<your Stepwise>/static/stepwise/push-sw.js");
   This shows each notification Stepwise sends, reports "shown", and on a click opens the
   notification's link (or brings forward a tab already showing it) and reports "clicked"
   (the journey can wait for that event).
   The payload is {title, body, url, image?, message, track}; `track` is a signed address. */
(function () {
  "use strict";

  function report(data, what) {
    if (!data || !data.track) return Promise.resolve();
    // No body and no-cors: a simple request any origin may make; the answer is not read.
    return fetch(data.track + "/" + what, { method: "POST", mode: "no-cors", keepalive: true })
      .catch(function () {});
  }

  self.onpush = function (event) {
    var data = {};
    try {
      data = event.data ? event.data.json() : {};
    } catch (error) {
      data = { title: event.data.text() };
    }
    var shown = self.registration
      .showNotification(data.title || "", {
        body: data.body || "",
        image: data.image || undefined,
        data: data,
        tag: data.message ? "stepwise-" + data.message : undefined,
      })
      .then(function () {
        return report(data, "shown");
      });
    event.waitUntil(shown);
  };

  // A tab already on the link is brought forward rather than opened twice.
  function open(url) {
    var wanted = new URL(url, self.location.href).href;
    return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
      var open = tabs.filter(function (tab) { return tab.url === wanted && "focus" in tab; })[0];
      return open ? open.focus() : self.clients.openWindow(wanted);
    });
  }

  self.onnotificationclick = function (event) {
    var data = event.notification.data || {};
    event.notification.close();
    var opened = data.url ? open(data.url) : Promise.resolve();
    event.waitUntil(Promise.all([opened, report(data, "clicked")]));
  };
})();
