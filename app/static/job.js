// Live progress of a background certificate job: polls its JSON until a final state.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  function poll() {
    fetch(box.dataset.progress, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      var bar = document.getElementById("job-bar");
      bar.max = job.total || 1;
      bar.value = job.issued + job.failed;
      document.getElementById("job-issued").textContent = job.issued;
      document.getElementById("job-failed").textContent = job.failed;
      document.getElementById("job-total").textContent = job.total;
      // A final state stops the polling (and the page shows the ZIP and what failed).
      if (job.finished || job.status === "done" || job.status === "failed") { window.location.reload(); return; }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  if (box.dataset.finished) { return; }
  poll();
})();
