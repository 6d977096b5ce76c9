/* Progressive enhancement for the draft editor: add and remove table rows without a reload.
   Without this script every button still works: "add" posts the form and comes back with an
   extra row; "remove" is a checkbox that takes effect on save. */
(function () {
  "use strict";

  var announcer = document.querySelector("[data-row-announcer]");
  // Texts come translated from the page, so this script holds no language of its own.
  var text = announcer ? announcer.dataset : {};

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // Each part of the editor is a form of its own: saving one does not save the others.
  var dirty = [];

  function markUnsaved(event) {
    var form = event && event.target && event.target.closest ? event.target.closest("form[data-editor]") : null;
    if (!form) return;
    if (dirty.indexOf(form) < 0) dirty.push(form);
    var state = form.querySelector("[data-part-state]");
    if (state && !state.dataset.unsaved) {
      state.dataset.unsaved = "1";
      state.classList.add("ak-unsaved");
      state.textContent = text.unsaved || "";
    }
  }

  function enhanceRemove(row) {
    var holder = row.querySelector("[data-remove]");
    if (!holder || holder.dataset.enhanced) return;
    var checkbox = holder.querySelector("input[type=checkbox]");
    var label = holder.querySelector("label");
    if (!checkbox || !label) return;
    holder.dataset.enhanced = "1";
    holder.hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--link ak-row__remove";
    var legend = row.querySelector("legend");
    var what = legend ? legend.textContent.trim() : "";
    button.textContent = (text.remove || "") + " " + what;
    button.addEventListener("click", function () {
      checkbox.checked = true;
      row.hidden = true;
      markUnsaved({ target: row });
      announce((text.removed || "") + " " + what + ". " + (text.saveHint || ""));
      var container = row.closest("[data-rows]");
      var add = container && container.querySelector("[data-add-row]");
      if (add) add.focus();
    });
    row.appendChild(button);
  }

  function setUpRows(container) {
    var prefix = container.getAttribute("data-rows");
    var total = container.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var template = container.querySelector("template[data-row-template]");
    var list = container.querySelector("[data-row-list]");
    var add = container.querySelector("[data-add-row]");
    if (!total || !template || !list || !add) return;

    list.querySelectorAll("[data-row]").forEach(enhanceRemove);

    add.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var wrapper = document.createElement("div");
      wrapper.innerHTML = html.trim();
      var row = wrapper.firstElementChild;
      list.appendChild(row);
      total.value = String(index + 1);
      enhanceRemove(row);
      markUnsaved({ target: list });
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
      var legend = row.querySelector("legend");
      announce((text.added || "") + " " + (legend ? legend.textContent.trim() : ""));
    });
  }

  document.querySelectorAll("[data-rows]").forEach(setUpRows);
  var submitting = null;
  document.querySelectorAll("form[data-editor]").forEach(function (form) {
    form.addEventListener("input", markUnsaved);
    form.addEventListener("change", markUnsaved);
    form.addEventListener("submit", function () { submitting = form; });
  });
  // Leaving the page (saving one part is leaving it too) with changes in another part asks first.
  window.addEventListener("beforeunload", function (event) {
    var others = dirty.filter(function (form) { return form !== submitting; });
    submitting = null;
    if (others.length) {
      event.preventDefault();
      event.returnValue = text.leave || "";
    }
  });
})();
