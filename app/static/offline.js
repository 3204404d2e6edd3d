// The phone's outbox: every answer is kept on this phone (IndexedDB) first, then sent in the
// order it was given, each under its own idempotency key so the server takes it once. The
// outbox survives a closed page, a lost connection and a lost session; only the student who
// typed an answer sends it (a shared phone may be signed in by someone else in between).
(function () {
  "use strict";
  function meta(name) { var m = document.querySelector('meta[name="' + name + '"]'); return m ? m.content : ""; }
  var user = meta("puente-user");
  var es = document.documentElement.lang === "es";
  var W = es ? {
    waiting: function (n) { return n === 1 ? "1 respuesta guardada en este teléfono, esperando conexión." : n + " respuestas guardadas en este teléfono, esperando conexión."; },
    session: function (n) { return (n === 1 ? "1 respuesta guardada en este teléfono" : n + " respuestas guardadas en este teléfono") + " se enviará al volver a iniciar sesión."; },
    signIn: "Iniciar sesión", sending: "Enviando respuestas guardadas…"
  } : {
    waiting: function (n) { return n === 1 ? "1 answer saved on this phone, waiting for a connection." : n + " answers saved on this phone, waiting for a connection."; },
    session: function (n) { return (n === 1 ? "1 answer saved on this phone" : n + " answers saved on this phone") + " will be sent when you sign in again."; },
    signIn: "Sign in", sending: "Sending saved answers…"
  };

  if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {}); }

  var opening = null;
  function database() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open("puente", 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true }).createIndex("user", "user");
          db.createObjectStore("answers", { keyPath: "id" }).createIndex("user", "user");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opening;
  }
  function run(stores, mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(stores, mode);
        var result = work(tx);
        tx.oncomplete = function () { resolve(result && result.value); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function all(source, query) {
    var box = { value: [] };
    source.getAll(query).onsuccess = function (event) { box.value = event.target.result; };
    return box;
  }
  function uuid() {
    if (crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }
  function answerId(url, item) { return user + "|" + url + "|" + item; }

  var sending = null; // the seq of the answer on its way (not to be replaced)
  var state = "idle";  // idle | offline | session

  // Keep an answer (or a hand-in) on the phone; a newer answer to the same question replaces an
  // older one that has not left yet.
  function keep(op) {
    op.user = user; op.key = uuid(); op.typed_at = Date.now();
    return run(["outbox", "answers"], "readwrite", function (tx) {
      var outbox = tx.objectStore("outbox");
      if (op.kind === "answer") {
        outbox.index("user").getAll(user).onsuccess = function (event) {
          event.target.result.forEach(function (old) {
            if (old.kind === "answer" && old.url === op.url && old.item_id === op.item_id && old.seq !== sending) { outbox.delete(old.seq); }
          });
          outbox.add(op);
        };
        tx.objectStore("answers").put({ id: answerId(op.url, op.item_id), user: user, url: op.url, item_id: op.item_id, response: op.response, state: "pending" });
      } else {
        outbox.add(op);
      }
    }).then(function () { emit(op, "kept", {}); flushSoon(); });
  }

  function pending() {
    return run(["outbox"], "readonly", function (tx) {
      return user ? all(tx.objectStore("outbox").index("user"), user) : all(tx.objectStore("outbox"));
    });
  }
  function remembered(url) {
    return run(["answers"], "readonly", function (tx) { return all(tx.objectStore("answers").index("user"), user); })
      .then(function (rows) { return rows.filter(function (row) { return row.url === url; }); });
  }

  function emit(op, what, body) {
    document.dispatchEvent(new CustomEvent("puente:outbox", { detail: { op: op, what: what, body: body } }));
  }

  // Send one kept answer: "sent", "refused" (the server's word is final), "offline", "session".
  function send(op) {
    var payload = { key: op.key, age_ms: Math.max(0, Date.now() - op.typed_at) };
    if (op.kind === "answer") { payload.item_id = op.item_id; payload.response = op.response; }
    return fetch(op.url, {
      method: "POST", credentials: "same-origin", redirect: "follow",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": meta("csrf-token") },
      body: JSON.stringify(payload)
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.redirected || response.status === 401 || !json) { return { what: "session" }; }
      return response.json().then(function (body) {
        if (response.ok) { return { what: "sent", body: body }; }
        if (response.status === 400 && body.reason === "session") { return { what: "session" }; }
        if (response.status === 409 || response.status === 429 || response.status >= 500) { return { what: "retry", body: body }; }
        return { what: "refused", body: body };
      });
    }, function () { return { what: "offline" }; });
  }

  function settle(op, result) {
    return run(["outbox", "answers"], "readwrite", function (tx) {
      tx.objectStore("outbox").delete(op.seq);
      if (op.kind !== "answer") { return; }
      var answers = tx.objectStore("answers");
      var id = answerId(op.url, op.item_id);
      answers.get(id).onsuccess = function (event) {
        var row = event.target.result;
        if (!row || row.response !== op.response || row.state !== "pending") { return; } // a newer one waits
        if (result.what === "sent" && result.body.outcome === "saved") {
          answers.put({ id: id, user: user, url: op.url, item_id: op.item_id, response: op.response, state: "sent", saved_at: Date.parse(result.body.saved_at) });
        } else {
          answers.delete(id); // the server kept another answer: the page shows the server's
        }
      };
    });
  }

  var flushing = null;
  var again = false; // asked again while sending (the connection came back meanwhile): go on
  var retries = 0;
  function flush() {
    if (!user) { return Promise.resolve(); }
    if (flushing) { again = true; return flushing; }
    function next() {
      return pending().then(function (ops) {
        if (!ops.length) { state = "idle"; retries = 0; return; }
        var op = ops[0];
        sending = op.seq;
        return send(op).then(function (result) {
          sending = null;
          if (result.what === "offline" || result.what === "session") { state = result.what; return; }
          if (result.what === "retry") {
            retries += 1;
            if (retries > 5) { state = "offline"; return; }
            return new Promise(function (r) { setTimeout(r, 400 * retries); }).then(next);
          }
          retries = 0; state = "idle";
          return settle(op, result).then(function () { emit(op, result.what, result.body || {}); return next(); });
        });
      });
    }
    flushing = next().catch(function () {}).then(function () {
      flushing = null;
      if (again) { again = false; return flush(); }
      return banner();
    });
    return flushing;
  }
  var timer = null;
  function flushSoon() { clearTimeout(timer); timer = setTimeout(flush, 50); }

  // The banner: how many answers are still only on this phone, and why.
  function banner() {
    var box = document.getElementById("outbox");
    if (!box) { return Promise.resolve(); }
    return pending().then(function (ops) {
      var answers = ops.filter(function (op) { return op.kind === "answer"; }).length || ops.length;
      box.textContent = "";
      box.hidden = !ops.length;
      if (!ops.length) { return; }
      var text = document.createElement("span");
      if (!user || state === "session") {
        text.textContent = W.session(answers);
        box.appendChild(text);
        var link = document.createElement("a");
        link.href = "/login?next=" + encodeURIComponent(location.pathname);
        link.textContent = W.signIn;
        box.appendChild(document.createTextNode(" "));
        box.appendChild(link);
      } else {
        text.textContent = state === "idle" && navigator.onLine ? W.sending : W.waiting(answers);
        box.appendChild(text);
      }
    });
  }

  // A phone shared by several students: the pages kept for one are dropped when another signs in.
  function switchUser() {
    var before = localStorage.getItem("puente-user");
    if (!user || before === user) { return; }
    localStorage.setItem("puente-user", user);
    if (before && navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "clear" });
    }
    run(["answers"], "readwrite", function (tx) {
      var store = tx.objectStore("answers");
      store.getAll().onsuccess = function (event) {
        event.target.result.forEach(function (row) { if (row.user !== user && row.state !== "pending") { store.delete(row.id); } });
      };
    });
  }

  // Keep this page's styles and scripts, and the whole course once a student opens it online.
  function keepCourse() {
    if (!navigator.onLine || !navigator.serviceWorker) { return; }
    var assets = [].map.call(document.querySelectorAll('link[rel=stylesheet], link[rel=icon], script[src]'), function (el) {
      var address = new URL(el.href || el.src, location.href);
      return address.pathname + address.search;
    }).concat(meta("puente-assets").split(" ").filter(Boolean)); // the scripts of pages to come
    var list = meta("puente-offline");
    var last = list && Number(localStorage.getItem("puente-kept:" + list) || 0);
    if (list && Date.now() - last < 10 * 60 * 1000) { list = ""; } // kept a moment ago
    if (list) { localStorage.setItem("puente-kept:" + list, String(Date.now())); }
    navigator.serviceWorker.ready.then(function (registration) {
      var course = list ? fetch(list, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Puente-Keep": "1" } })
        .then(function (response) { return response.ok ? response.json() : null; }) : Promise.resolve(null);
      return course.then(function (body) {
        if (registration.active) { registration.active.postMessage({ type: "keep", urls: assets.concat(body ? body.urls : []) }); }
      });
    }).catch(function () {});
  }

  window.PuenteOutbox = { keep: keep, flush: flush, pending: pending, remembered: remembered, user: user,
    state: function () { return state; } };
  // Without a connection, "Next lesson" just turns the page (reading is recorded online).
  document.querySelectorAll("form[data-offline-next]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!navigator.onLine) { event.preventDefault(); window.location.assign(form.dataset.offlineNext); }
    });
  });
  window.addEventListener("online", flush);
  setInterval(function () { if (state !== "session") { flush(); } }, 20000);
  switchUser();
  keepCourse();
  flush();
})();
