// Practice and unit tests: each answer goes to the phone's outbox (offline.js) as it changes,
// and each question says where its answer is: saved on this phone, sent, or not taken.
(function () {
  "use strict";
  var outbox = window.PuenteOutbox;
  if (!outbox || !window.indexedDB) { return; } // the plain form posts still work
  var es = document.documentElement.lang === "es";
  var W = es ? {
    kept: "Guardada en este teléfono, esperando conexión", sending: "Enviando…", sent: "Enviada",
    refused: "No se aceptó: ", right: "Correcto", wrong: "Todavía no es correcto",
    here: " (revisado en este teléfono)",
    saved: "Tus respuestas están enviadas. Puedes volver y terminar después.",
    keptAll: "Tus respuestas están guardadas en este teléfono y se enviarán cuando haya conexión.",
    handIn: "Tu examen se entregará cuando haya conexión. No cierres la sesión en este teléfono.",
    handedIn: "Tu examen está entregado.", result: "Ver el resultado"
  } : {
    kept: "Saved on this phone, waiting for a connection", sending: "Sending…", sent: "Sent",
    refused: "Not taken: ", right: "Right", wrong: "Not right yet",
    here: " (checked on this phone)",
    saved: "Your answers are sent. You can come back and finish later.",
    keptAll: "Your answers are saved on this phone and will be sent when there is a connection.",
    handIn: "Your test will be handed in when there is a connection. Do not sign out on this phone.",
    handedIn: "Your test is handed in.", result: "See the result"
  };
  var rendered = Date.parse(document.querySelector('meta[name="puente-rendered"]').content);

  function status(item, text, kind) {
    var box = item.querySelector("[data-status]");
    box.textContent = text;
    box.className = "answer-status answer-" + kind; // only "sent" is shown in the success colour
  }

  function parseNumber(text) {
    var cleaned = (text || "").trim().replace(/[\s\u00a0]/g, "");
    if ((cleaned.match(/,/g) || []).length === 1 && cleaned.indexOf(".") === -1) { cleaned = cleaned.replace(",", "."); }
    return cleaned === "" || isNaN(Number(cleaned)) ? null : Number(cleaned);
  }
  function checkHere(item, value) {
    if (!item.dataset.check) { return null; }
    var key = JSON.parse(item.dataset.check);
    if (key.choice !== undefined) { return value.trim() === key.choice; }
    var number = parseNumber(value);
    return number !== null && Math.abs(number - key.value) <= (key.tolerance || 0) + 1e-9;
  }
  function showResult(item, correct, here) {
    var shown = item.querySelector("[data-result]");
    if (!shown) { shown = document.createElement("p"); shown.setAttribute("data-result", ""); item.appendChild(shown); }
    shown.className = correct ? "saved" : "error";
    shown.textContent = (correct ? W.right : W.wrong) + (here ? W.here : "");
  }

  function setField(item, value) {
    item.querySelectorAll("input, textarea").forEach(function (field) {
      if (field.type === "radio") { field.checked = field.value === value; } else { field.value = value; }
    });
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var url = form.dataset.autosave;
    var handInUrl = form.dataset.handIn;
    var practice = form.hasAttribute("data-practice");
    var timers = {};
    var notice = document.createElement("p");
    notice.setAttribute("role", "status");
    notice.hidden = true;
    form.appendChild(notice);
    function tell(text, kind, link) {
      notice.hidden = false;
      notice.className = "flash flash-" + kind;
      notice.textContent = text;
      if (link) {
        var a = document.createElement("a"); a.href = link; a.textContent = W.result;
        notice.appendChild(document.createTextNode(" ")); notice.appendChild(a);
      }
    }
    function itemOf(id) { return form.querySelector('[data-item="' + id + '"]'); }
    function lock() { form.querySelectorAll("input, textarea, button").forEach(function (f) { if (f.name !== "csrf_token") { f.disabled = true; } }); }

    function keepAnswer(field) {
      var item = field.closest("[data-item]");
      clearTimeout(timers[field.name]);
      delete timers[field.name];
      var value = field.type === "radio" ? (form.querySelector('input[name="' + field.name + '"]:checked') || {}).value || "" : field.value;
      status(item, W.kept, "kept");
      if (practice) { var here = checkHere(item, value); if (here !== null) { showResult(item, here, true); } }
      return outbox.keep({ kind: "answer", url: url, item_id: parseInt(item.dataset.item, 10), response: value });
    }
    function keepTyped() {
      return Promise.all(Object.keys(timers).map(function (name) { return keepAnswer(form.querySelector('[name="' + name + '"]')); }));
    }

    // What this phone knows better than the page: answers not sent yet, and answers sent after
    // this page was made (a page kept for offline use is older than what was sent since).
    outbox.remembered(url).then(function (rows) {
      rows.forEach(function (row) {
        var item = itemOf(row.item_id);
        if (!item) { return; }
        if (row.state === "pending") { setField(item, row.response); status(item, W.kept, "kept"); }
        else if (row.saved_at > rendered) { setField(item, row.response); status(item, W.sent, "sent"); }
      });
      return outbox.pending();
    }).then(function (ops) {
      if (handInUrl && ops.some(function (op) { return op.kind === "hand_in" && op.url === handInUrl; })) { lock(); tell(W.handIn, "warning"); }
    });

    document.addEventListener("puente:outbox", function (event) {
      var op = event.detail.op, body = event.detail.body;
      if (op.kind === "hand_in" && op.url === handInUrl) {
        if (event.detail.what === "sent") { tell(W.handedIn, "success", body.result_url); window.location.assign(body.result_url); }
        else if (event.detail.what === "refused") { tell(W.refused + (body.message || body.error || ""), "error"); }
        return;
      }
      if (op.url !== url || event.detail.what === "kept") { return; }
      var item = itemOf(op.item_id);
      if (!item) { return; }
      if (event.detail.what === "refused") { status(item, W.refused + (body.message || body.error || ""), "refused"); return; }
      if (body.outcome === "kept_newer") { status(item, W.refused + body.message, "refused"); return; }
      status(item, W.sent, "sent");
      if (practice && body.correct !== undefined && body.correct !== null) {
        showResult(item, body.correct, false);
        var total = document.querySelector("[data-work-percent]");
        if (total && body.work_percent !== null) { total.textContent = body.work_percent.toFixed(1) + " %"; }
      }
    });

    form.addEventListener("input", function (event) {
      var field = event.target;
      if (!field.closest("[data-item]") || !field.name || field.name.indexOf("answer-") !== 0) { return; }
      clearTimeout(timers[field.name]);
      if (field.type === "radio") { keepAnswer(field); return; }
      timers[field.name] = setTimeout(function () { keepAnswer(field); }, 600);
    });
    form.addEventListener("change", function (event) {
      if (timers[event.target.name]) { keepAnswer(event.target); }
    });
    window.addEventListener("pagehide", keepTyped);

    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) { event.preventDefault(); return; }
      event.preventDefault(); // the outbox sends; a lost session or connection loses nothing
      var handIn = button && button.value === "hand_in";
      keepTyped().then(function () {
        if (handIn) { lock(); return outbox.keep({ kind: "hand_in", url: handInUrl }); }
      }).then(outbox.flush).then(outbox.pending).then(function (ops) {
        var mine = ops.filter(function (op) { return op.url === url || op.url === handInUrl; });
        if (handIn) { if (mine.length) { tell(W.handIn, "warning"); } return; }
        if (mine.length) { tell(W.keptAll, "warning"); } else { tell(W.saved, "success"); }
      });
    });
  });
})();
