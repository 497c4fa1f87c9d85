// The AML counts in the navigation (templates/aml_officer/_counts.html): what waits for the AML
// officer and the member's unread notifications, from /aml/officer/counts.json. A file of its own
// because the pages' Content-Security-Policy (script-src 'self') blocks inline scripts.
(function () {
  var link = document.querySelector("[data-aml-counts]");
  if (!link || !window.fetch) { return; }
  fetch("/aml/officer/counts.json", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.status === 200 ? r.json() : null; })
    .then(function (c) {
      if (!c || c.total === undefined) { return; }
      if (c.officer) { link.querySelector("[data-aml-waiting]").textContent = c.total; link.querySelector("[data-aml-officer]").hidden = false; }
      if (c.unread) { link.querySelector("[data-aml-unread]").textContent = c.unread; link.querySelector("[data-aml-unread-box]").hidden = false; }
      link.hidden = !(c.officer || c.unread);
    })
    .catch(function () {});
})();
