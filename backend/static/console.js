// Small conveniences for the console; every page works without them.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // The queue: one box to select every report on the page for a bulk action.
    var all = document.getElementById("select-all");
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        document.querySelectorAll('input[name="report_ids"]').forEach(function (box) {
          box.checked = all.checked;
        });
      });
    }
    // The report page: picking an update template fills the text box, which the officer can still edit.
    document.querySelectorAll("select[data-fills]").forEach(function (select) {
      var target = document.getElementById(select.dataset.fills);
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        if (target && option && option.dataset.text) {
          target.value = option.dataset.text;
          target.focus();
        }
      });
    });
    // Forms that only exist for browsers without JavaScript.
    document.querySelectorAll(".nojs-only").forEach(function (element) {
      element.hidden = true;
    });
  });
})();
