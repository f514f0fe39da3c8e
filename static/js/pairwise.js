// Comparing two ideas at a time: the answer goes to the same route as the plain form, asking
// for JSON, and the next pair replaces this one without a reload. On any failure the form
// is submitted normally, so the page works exactly as it does without JavaScript.
(function () {
  "use strict";
  const form = document.querySelector("[data-pair-form]");
  if (!form) return;
  const progress = form.querySelector("[data-pair-progress]");

  function show(pair) {
    ["left", "right"].forEach(function (side) {
      const idea = pair[side];
      const card = form.querySelector('[data-pair-side="' + side + '"]');
      form.querySelector('[data-pair-id="' + side + '"]').value = idea.id;
      card.querySelector("[data-pair-title]").textContent = idea.title;
      card.querySelector("[data-pair-excerpt]").textContent = idea.excerpt;
      card.querySelector("[data-pair-link]").setAttribute("href", idea.url);
    });
  }

  form.addEventListener("submit", function (event) {
    const button = event.submitter;
    if (!button || !button.value) return;
    event.preventDefault();
    const data = new FormData(form);
    data.set("choice", button.value);
    form.classList.add("is-busy");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                         headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (result) { return { ok: response.ok, data: result }; });
      })
      .then(function (result) {
        const next = result.data;
        if (!result.ok && next.error) window.alert(next.error);
        if (next.done || !next.pair) { window.location.reload(); return; }
        show(next.pair);
        if (progress && next.progress) progress.textContent = next.progress;
        form.classList.remove("is-busy");
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        const heading = form.querySelector("[data-pair-title]");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      })
      .catch(function () {
        form.classList.remove("is-busy");
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        const fallback = document.createElement("input");
        fallback.type = "hidden";
        fallback.name = "choice";
        fallback.value = button.value;
        form.appendChild(fallback);
        form.submit();
      });
  });
})();
