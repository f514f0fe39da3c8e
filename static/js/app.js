// Progressive enhancement only: every form here also works as a normal POST.
(function () {
  "use strict";

  function postForm(form, extraHeaders) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: Object.assign({ Accept: "application/json" }, extraHeaders || {}),
      credentials: "same-origin",
    });
  }

  // Support / oppose without a reload.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("[data-vote-form]")) return;
    event.preventDefault();
    const box = form.closest("[data-vote-box]");
    box.classList.add("is-busy");
    postForm(form).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      box.classList.remove("is-busy");
      if (!result.ok) { window.alert(result.data.error || result.data.detail); return; }
      box.querySelectorAll("[data-vote-form]").forEach(function (voteForm) {
        const input = voteForm.querySelector("input[name=value]");
        const kind = input.dataset.value;
        const pressed = (kind === "support" && result.data.value === 1) ||
                        (kind === "oppose" && result.data.value === -1);
        input.value = pressed ? "retract" : kind;
        voteForm.querySelector("button").setAttribute("aria-pressed", pressed ? "true" : "false");
        voteForm.querySelector("[data-count]").textContent =
          kind === "support" ? result.data.supporters : result.data.opposers;
      });
    }).catch(function () { box.classList.remove("is-busy"); form.submit(); });
  });

  // "Helpful" marks without a reload.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches("[data-helpful-form]")) return;
    event.preventDefault();
    postForm(form).then(function (response) { return response.json(); }).then(function (data) {
      if (data.error) { window.alert(data.error); return; }
      form.querySelector("[data-helpful-count]").textContent = data.count;
      form.querySelector("input[name=helpful]").value = data.helpful ? "0" : "1";
      form.querySelector("button").setAttribute("aria-pressed", data.helpful ? "true" : "false");
    }).catch(function () { form.submit(); });
  });

  // Ask before destructive actions.
  document.addEventListener("submit", function (event) {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  // Language select applies at once.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });

  // Live Markdown preview while composing (rendered by the server's own sanitiser).
  document.querySelectorAll("[data-compose]").forEach(function (form) {
    const body = form.querySelector("textarea[name=body]");
    const target = form.querySelector("[data-preview-target]");
    if (!body || !target) return;
    let timer = null;
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        const data = new FormData();
        data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
        data.append("body", body.value);
        fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin",
                                         headers: { Accept: "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (result) {
            target.hidden = !body.value.trim();
            target.querySelector("[data-preview-body]").innerHTML = result.html || "";
          });
      }, 400);
    });
  });
})();
