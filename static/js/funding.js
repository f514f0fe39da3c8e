// Funding rounds: give points without a reload. The form also works as a plain POST; here
// the server answers with the wallet and every idea's bar, rendered by the page's macros.
(function () {
  "use strict";

  function replaceAll(selector, html) {
    document.querySelectorAll(selector).forEach(function (node) { node.outerHTML = html; });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("[data-points-form]")) return;
    event.preventDefault();
    if (form.classList.contains("is-busy")) return;  // the change already sent it
    const status = form.querySelector("[data-points-status]");
    const input = form.querySelector("[data-points-input]");
    form.classList.add("is-busy");
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        const data = result.data;
        form.classList.remove("is-busy");
        if (!result.ok) {
          status.textContent = data.error || data.detail;
          status.classList.add("is-error");
          input.value = input.dataset.saved;
          return;
        }
        status.classList.remove("is-error");
        status.textContent = data.message;
        input.value = input.dataset.saved = data.points;
        Object.keys(data.bars || {}).forEach(function (id) {
          replaceAll('[data-bar="' + id + '"]', data.bars[id]);
        });
        Object.keys(data.counts || {}).forEach(function (id) {
          replaceAll('[data-counts="' + id + '"]', data.counts[id]);
        });
        if (data.wallet_html) replaceAll("[data-wallet]", data.wallet_html);
        document.querySelectorAll("[data-wallet-left]").forEach(function (node) {
          node.textContent = data.left;
        });
        document.querySelectorAll("[data-points-input]").forEach(function (other) {
          other.max = parseInt(other.dataset.saved || "0", 10) + data.left;
        });
      })
      .catch(function () { form.classList.remove("is-busy"); form.submit(); });
  });

  // Saving as soon as a number is changed feels instant; Enter or the button work as well.
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!input.matches("[data-points-input]") || input.value === input.dataset.saved) return;
    if (input.checkValidity()) input.form.requestSubmit();
  });
})();

// The report's Print button (hidden without JavaScript: the browser's own print works).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
