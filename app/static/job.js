// Live progress of a background job (certificates, exports): polls its JSON until a final state.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  function poll() {
    fetch(box.dataset.progress, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      var bar = document.getElementById("job-bar");
      bar.max = job.total || 1;
      // Certificate jobs count issued + failed; export jobs count what is done.
      bar.value = "done" in job ? job.done : job.issued + job.failed;
      ["issued", "failed", "done", "total"].forEach(function (key) {
        var cell = document.getElementById("job-" + key);
        if (cell && key in job) { cell.textContent = job[key]; }
      });
      // A final state stops the polling (and the page shows the ZIP and what failed).
      if (job.finished || job.status === "done" || job.status === "failed") { window.location.reload(); return; }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  if (box.dataset.finished) { return; }
  poll();
})();
