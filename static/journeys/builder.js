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
