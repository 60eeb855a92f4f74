/* Contract import status page: while the import runs, ask for its progress every second and move
   the progress bar; when it has ended (done, rejected, failed), reload the page to show the result.
   No dependencies. The page works without it too (it refreshes itself inside <noscript>). */
(function () {
  "use strict";

  var box = document.getElementById("import-progress");
  if (!box || !box.dataset.statusUrl || !window.fetch) {
    return;
  }
  var url = box.dataset.statusUrl;
  var active = (box.dataset.active || "").split(" ");
  var bar = document.getElementById("import-bar");
  var failures = 0;

  function show(name, value) {
    var el = box.querySelector('[data-progress="' + name + '"]');
    if (el && value !== undefined && value !== null) {
      el.textContent = value;
    }
    return el;
  }

  function update(s) {
    bar.max = Math.max(s.total, 1);
    if (s.status === "validating") {
      bar.value = s.processed;
    } else {
      bar.removeAttribute("value"); // indeterminate: waiting, or creating the contracts
    }
    var counts = box.querySelector('[data-progress="counts"]');
    if (counts) {
      counts.hidden = !s.total;
    }
    show("processed", s.processed);
    show("total", s.total);
    show("help", s.status_help);
    var tag = show("status", s.status_label);
    if (tag) {
      tag.className = "tag tag-i-" + s.status;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (s) {
        failures = 0;
        if (active.indexOf(s.status) < 0) {
          window.location.reload();
          return;
        }
        update(s);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // The server is busy or the network is down: try again, less and less often.
        failures += 1;
        window.setTimeout(poll, Math.min(1000 * Math.pow(2, failures), 30000));
      });
  }

  window.setTimeout(poll, 1000);
})();
