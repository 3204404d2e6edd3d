// Puente's service worker: keeps the student's course pages for reading without a connection.
// Pages are asked of the network first (the server is the judge); the kept copy answers only
// when there is no connection. Answers are never sent from here: the page's outbox sends them.
"use strict";
var STATIC = "puente-static-v1";
var PAGES = "puente-pages";
var SHELL = ["/manifest.webmanifest"];
var SLOW_MS = 6000; // a kept page answers when the network has not in this long

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== STATIC && name !== PAGES; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(url) { return url.pathname.indexOf("/learn/") === 0; }

function keep(request, response) {
  // Only a page the student was really shown: not a sign-in page reached by a redirect.
  if (response.ok && !response.redirected && response.type === "basic") {
    var copy = response.clone();
    caches.open(PAGES).then(function (cache) { return cache.put(request, copy); });
  }
  return response;
}

function offlinePage() {
  var html = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>Puente</title><link rel=stylesheet href='/static/puente.css'><main>" +
    "<h1>Sin conexión · No connection</h1><p lang=es>Esta página no está guardada en este teléfono. " +
    "Abra el curso cuando tenga conexión para poder usarlo sin conexión.</p>" +
    "<p lang=en>This page is not kept on this phone. Open the course while online to use it offline.</p></main>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function page(request) {
  var url = new URL(request.url);
  var network = fetch(request).then(function (response) {
    return keepable(url) ? keep(request, response) : response;
  });
  if (!keepable(url)) { return network; }
  var kept = caches.open(PAGES).then(function (cache) { return cache.match(request, { ignoreVary: true }); });
  var slow = new Promise(function (resolve) { setTimeout(resolve, SLOW_MS); }).then(function () { return kept; });
  return Promise.race([network, slow.then(function (copy) { return copy || network; })])
    .catch(function () { return kept.then(function (copy) { return copy || offlinePage(); }); });
}

// Styles, scripts and icons carry their version in the address (?v=…): a kept copy is right.
function shell(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (copy) {
      return copy || fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0 || SHELL.indexOf(url.pathname) !== -1) { event.respondWith(shell(request)); return; }
  if (request.mode === "navigate" || keepable(url)) { event.respondWith(page(request)); }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "clear") {
    event.waitUntil(caches.delete(PAGES));
  } else if (data.type === "keep" && Array.isArray(data.urls)) {
    // One page after the other: a slow connection is not flooded.
    event.waitUntil(Promise.all([caches.open(PAGES), caches.open(STATIC)]).then(function (both) {
      return data.urls.filter(function (path) { return typeof path === "string" && /^\/(learn|static)\//.test(path); })
        .reduce(function (done, path) {
          var cache = path.indexOf("/static/") === 0 ? both[1] : both[0];
          return done.then(function () {
            return cache.match(path).then(function (kept) {
              if (kept && cache === both[1]) { return; } // a versioned file never changes
              return fetch(path, { credentials: "same-origin", headers: { "X-Puente-Keep": "1" } }).then(function (response) {
                if (response.ok && !response.redirected) { return cache.put(path, response); }
              });
            }).catch(function () {});
          });
        }, Promise.resolve());
    }));
  }
});
