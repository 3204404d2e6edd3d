// A roster import running in the background: reload its page until the job has finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-testid=roster-job]");
  if (box && (box.dataset.status === "queued" || box.dataset.status === "running")) {
    setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
