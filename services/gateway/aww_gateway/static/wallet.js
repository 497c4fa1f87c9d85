// Fills in the wallet balance in the page header when the page did not render it (progressive
// enhancement: without JavaScript the header still links to the wallet).
(function () {
  var link = document.querySelector("[data-wallet-balance]");
  if (!link) { return; }
  var amount = link.querySelector("[data-wallet-amount]");
  if (amount && amount.textContent.trim() !== "") { return; }
  fetch("/wallet/balance.json", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) { return response.status === 200 ? response.json() : null; })
    .then(function (body) {
      if (body && amount) { amount.textContent = body.text; } else if (!body) { link.hidden = true; }
    })
    .catch(function () { /* the link alone is fine */ });
})();
