// Registration: propose a username from the names until the person types one (progressive
// enhancement; without JavaScript the server proposes one when the field is left empty).
(function () {
  var username = document.getElementById("f-username");
  var first = document.getElementById("f-first_name");
  var last = document.getElementById("f-last_name");
  if (!username || !first || !last || !window.fetch) { return; }
  var typed = username.value !== "";
  username.addEventListener("input", function () { typed = username.value !== ""; });
  function propose() {
    if (typed || !first.value.trim() || !last.value.trim()) { return; }
    var query = "first_name=" + encodeURIComponent(first.value) + "&last_name=" + encodeURIComponent(last.value);
    fetch("/api/v1/accounts/username-proposal?" + query, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && !typed) { username.value = body.username; } })
      .catch(function () {});
  }
  first.addEventListener("change", propose);
  last.addEventListener("change", propose);
})();
