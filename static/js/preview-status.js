/* The draft preview page: while the PDF is being made, ask every two seconds whether it is ready,
   and reload the page once it is (or after four minutes). Without this script the page says so
   and offers a link to reload it by hand. */
(function () {
  "use strict";

  var box = document.getElementById("preview-status");
  if (!box || box.dataset.busy !== "1") return;
  var tries = 0;

  function poll() {
    tries += 1;
    fetch(window.location.pathname, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.busy && tries < 120) { window.setTimeout(poll, 2000); } else { window.location.reload(); }
      })
      .catch(function () { if (tries < 120) { window.setTimeout(poll, 5000); } });
  }

  window.setTimeout(poll, 2000);
})();
