// When the database is busy the server answers 503 with Retry-After: wait that long and
// send the same request again (twice at most), so a click is not lost.
window.ideaboardFetch = function (url, options, triesLeft) {
  const tries = triesLeft === undefined ? 2 : triesLeft;
  return fetch(url, options).then(function (response) {
    const wait = parseInt(response.headers.get("Retry-After") || "", 10);
    if (response.status !== 503 || tries <= 0 || !(wait >= 0 && wait <= 15)) return response;
    return new Promise(function (resolve) { setTimeout(resolve, wait * 1000); })
      .then(function () { return window.ideaboardFetch(url, options, tries - 1); });
  });
};

// Progressive enhancement only: every form here also works as a normal POST.
(function () {
  "use strict";

  function postForm(form, extraHeaders) {
    return window.ideaboardFetch(form.action, {
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
        const counter = voteForm.querySelector("[data-count]");
        if (counter && result.data.supporters !== undefined) {
          counter.textContent = kind === "support" ? result.data.supporters : result.data.opposers;
        }
      });
    }).catch(function () { box.classList.remove("is-busy"); form.submit(); });
  });

  // "Helpful" marks without a reload. The buttons submit the page's one action form
  // (item_actions.html) to their own URL; here that request is sent with fetch instead.
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    if (!button || !button.matches("[data-helpful]") || button.dataset.plain) return;
    event.preventDefault();
    const body = new FormData(event.target);
    body.append("helpful", button.value);
    window.ideaboardFetch(button.formAction, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) { return response.json(); }).then(function (data) {
      if (data.error) { window.alert(data.error); return; }
      button.querySelector("[data-helpful-count]").textContent = data.count;
      button.value = data.helpful ? "0" : "1";
      button.setAttribute("aria-pressed", data.helpful ? "true" : "false");
    }).catch(function () {  // the plain POST, as without JavaScript
      button.dataset.plain = "1";
      event.target.requestSubmit(button);
    });
  });

  // Ask before destructive actions (on the form, or on the button that submits it).
  document.addEventListener("submit", function (event) {
    const source = (event.submitter && event.submitter.dataset.confirm) ? event.submitter
      : event.target;
    const message = source.dataset && source.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  // "Reply" and "Flag" are links to a page with the form; here the page's one form template
  // is placed under the item instead (a second click on the same link closes it).
  document.addEventListener("click", function (event) {
    const link = event.target.closest("[data-reply-to], [data-flag-link]");
    if (!link) return;
    const reply = link.hasAttribute("data-reply-to");
    const template = document.getElementById(reply ? "reply-template" : "flag-template");
    if (!template) return;
    event.preventDefault();
    const open = document.querySelector("form[data-live-form]");
    const again = open && open.opener === link;
    if (open) { open.opener.setAttribute("aria-expanded", "false"); open.remove(); }
    if (again) return;
    const form = template.content.firstElementChild.cloneNode(true);
    form.opener = link;
    if (reply) form.querySelector("input[name=parent]").value = link.dataset.replyTo;
    else form.action = link.href;
    link.closest(".comment-actions").appendChild(form);
    link.setAttribute("aria-expanded", "true");
    form.querySelector("textarea, select").focus();
  });

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
        window.ideaboardFetch(form.dataset.previewUrl, {
          method: "POST", body: data, credentials: "same-origin",
          headers: { Accept: "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (result) {
            if (result.html === undefined) return;  // busy: keep the last preview
            target.hidden = !body.value.trim();
            target.querySelector("[data-preview-body]").innerHTML = result.html;
          })
          .catch(function () { /* the preview is a nicety; the form still posts */ });
      }, 400);
    });
  });
})();

// Similar ideas under the title while composing. The server's section (the preview step's
// list, outside the compose form) is copied under the title and refreshed as the author
// types. Forms cannot nest, so there "Support this instead" is a button that posts to the
// same vote route with the page's CSRF token; without JavaScript the preview step's forms do.
(function () {
  "use strict";
  const source = document.querySelector("[data-similar]");
  const form = document.querySelector("[data-compose]");
  if (!source || !form) return;
  const title = form.querySelector("input[name=title]");
  const tags = form.querySelector("input[name=tags]");
  const token = form.querySelector("input[name=csrf_token]");
  if (!title || !token) return;

  const live = source.cloneNode(true);
  live.removeAttribute("data-similar");
  live.hidden = true;
  live.querySelector("h2").id = "similar-live-heading";
  live.setAttribute("aria-labelledby", "similar-live-heading");
  const list = live.querySelector("[data-similar-list]");
  list.replaceChildren();
  (title.closest(".field") || title).insertAdjacentElement("afterend", live);

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function item(idea) {
    const li = element("li", { class: "similar-item" });
    li.appendChild(element("a", { class: "similar-link", href: idea.url }, idea.title));
    li.appendChild(element("span", { class: "status status-" + idea.status }, idea.status_label));
    const count = element("span", { class: "vote-count" });
    if (idea.supporters !== null) {
      count.appendChild(element("span", { "aria-hidden": "true" }, "▲ "));
      count.appendChild(element("span", { "data-count": "support" }, String(idea.supporters)));
      count.appendChild(element("span", { class: "visually-hidden" }, " " + source.dataset.labelSupporters));
    }
    if (!idea.can_support) {
      count.classList.add("muted");
      li.appendChild(count);
      return li;
    }
    const button = element("button", { type: "button", class: "btn btn-sm btn-outline-primary support-instead",
                                       "aria-pressed": "false", "data-vote-url": idea.vote_url },
                           source.dataset.labelSupport + " ");
    button.appendChild(count);
    li.appendChild(button);
    return li;
  }

  list.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-vote-url]");
    if (!button) return;
    const supported = button.getAttribute("aria-pressed") === "true";
    const data = new FormData();
    data.append("csrf_token", token.value);
    data.append("value", supported ? "retract" : "support");
    button.disabled = true;
    window.ideaboardFetch(button.dataset.voteUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (result) { return { ok: response.ok, data: result }; });
      })
      .then(function (result) {
        button.disabled = false;
        if (!result.ok) { window.alert(result.data.error || result.data.detail); return; }
        button.setAttribute("aria-pressed", result.data.value === 1 ? "true" : "false");
        const counter = button.querySelector("[data-count]");
        if (counter && result.data.supporters !== undefined) counter.textContent = result.data.supporters;
      })
      .catch(function () { button.disabled = false; });
  });

  let timer = null;
  let latest = 0;
  function refresh() {
    const text = title.value.trim();
    const ticket = ++latest;
    if (text.length < 2) { live.hidden = true; list.replaceChildren(); return; }
    const query = new URLSearchParams({ title: text, tags: tags ? tags.value : "" });
    fetch(source.dataset.similarUrl + "?" + query.toString(),
          { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (ticket !== latest) return;  // the answer to an older keystroke
        const ideas = data.ideas || [];
        list.replaceChildren.apply(list, ideas.map(item));
        live.hidden = ideas.length === 0;
        source.hidden = true;  // the live list under the title replaces the preview step's
      })
      .catch(function () { /* suggestions are a nicety; composing goes on without them */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 350); }
  title.addEventListener("input", later);
  if (tags) tags.addEventListener("change", later);
})();

(function () {
  "use strict";
// Campaign form: offer only the anonymity policies the chosen kind allows. Without
  // JavaScript the server says why beside the field instead.
  const policyGroup = document.querySelector("[data-anonymity-policies]");
  if (policyGroup) {
    const allowed = JSON.parse(policyGroup.dataset.anonymityPolicies);
    const form = policyGroup.closest("form");
    const applyKind = function () {
      const checkedKind = form.querySelector("input[name=kind]:checked");
      const kind = checkedKind ? checkedKind.value : policyGroup.dataset.kind;
      const policies = allowed[kind] || [];
      policyGroup.querySelectorAll("input[name=anonymity]").forEach(function (input) {
        input.disabled = policies.indexOf(input.value) === -1;
        if (input.disabled && input.checked) {
          input.checked = false;
          const safest = policyGroup.querySelector("input[value=anonymous_only]");
          if (safest) safest.checked = true;
        }
      });
      document.querySelectorAll("[data-policy-note]").forEach(function (note) {
        note.hidden = note.dataset.policyNote !== kind;
      });
    };
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") applyKind();
    });
    applyKind();
  }
})();
