// Autosave for practice and unit tests: each answer is sent as soon as it changes.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var lang = document.documentElement.lang;
  var words = lang === "es"
    ? { saving: "Guardando…", saved: "Guardado", failed: "No se guardó: ", right: "Correcto", wrong: "Todavía no es correcto" }
    : { saving: "Saving…", saved: "Saved", failed: "Not saved: ", right: "Right", wrong: "Not right yet" };

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var url = form.dataset.autosave;
    var practice = form.hasAttribute("data-practice");
    var timers = {};

    function send(item, field, retried) {
      var box = item.querySelector("[data-status]");
      box.textContent = words.saving;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ item_id: parseInt(item.dataset.item, 10), response: field.value })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
      }).then(function (result) {
        // 409: another save of this work (another tab or device) won the same moment: send again once.
        if (result.status === 409 && !retried) { setTimeout(function () { send(item, field, true); }, 300); return; }
        if (!result.ok) { box.textContent = words.failed + (result.body.error || result.body.message || ""); return; }
        box.textContent = words.saved;
        item.dataset.saved = "true";
        if (practice && result.body.correct !== undefined && result.body.correct !== null) {
          var shown = item.querySelector("[data-result]");
          if (!shown) { shown = document.createElement("p"); shown.setAttribute("data-result", ""); item.appendChild(shown); }
          shown.className = result.body.correct ? "saved" : "error";
          shown.textContent = result.body.correct ? words.right : words.wrong;
          var total = document.querySelector("[data-work-percent]");
          if (total && result.body.work_percent !== null) { total.textContent = result.body.work_percent.toFixed(1) + " %"; }
        }
      }).catch(function () { box.textContent = words.failed + "offline"; });
    }

    form.addEventListener("input", function (event) {
      var field = event.target;
      var item = field.closest("[data-item]");
      if (!item || !field.name || field.name.indexOf("answer-") !== 0) { return; }
      item.dataset.saved = "false";
      var delay = field.type === "radio" ? 0 : 700;
      clearTimeout(timers[field.name]);
      timers[field.name] = setTimeout(function () { send(item, field); }, delay);
    });

    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
