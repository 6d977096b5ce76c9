/* A preview being made (the preview page, and the approved version's PDF on the sign page): ask every two
   seconds whether it is ready. On the preview page the page reloads once it is (or after four minutes). Where
   the box names its own status URL (the sign page, whose form a reload would empty), the download link is put
   in the box instead. Without this script the page says so and offers a link to reload it by hand. */
(function () {
  "use strict";

  var box = document.getElementById("preview-status");
  if (!box || box.dataset.busy !== "1") return;
  var url = box.dataset.statusUrl || window.location.pathname;
  var inPlace = Boolean(box.dataset.statusUrl);
  var tries = 0;

  function showDownload(href) {
    var notice = document.createElement("div");
    notice.className = "notice notice--success";
    var said = document.createElement("p");
    said.textContent = box.dataset.readyText;
    var line = document.createElement("p");
    var link = document.createElement("a");
    link.className = "button";
    link.href = href;
    link.textContent = box.dataset.downloadText;
    line.appendChild(link);
    notice.appendChild(said);
    notice.appendChild(line);
    box.replaceChildren(notice);
    box.dataset.busy = "0";
  }

  function poll() {
    tries += 1;
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.busy && tries < 120) { window.setTimeout(poll, 2000); }
        else if (inPlace && data.ready && data.download_url) { showDownload(data.download_url); }
        else if (!inPlace || tries >= 120 || data.failed) { window.location.reload(); }
      })
      .catch(function () { if (tries < 120) { window.setTimeout(poll, 5000); } });
  }

  window.setTimeout(poll, 2000);
})();
