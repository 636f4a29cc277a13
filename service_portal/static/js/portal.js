// Small behaviours shared by every page. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // Language switcher and other selects that submit their form on change.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form.js-autosubmit");
    if (form) form.submit();
  });

  // Pickers (service_portal/pickers.py): choosing a search result sets the select below the
  // search box and fires its change event, as if it had been chosen in the select.
  document.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-pick-value]");
    if (!choice) return;
    var picker = choice.closest("[data-picker]");
    var select = picker && picker.querySelector("select");
    if (!select) return;
    var value = choice.getAttribute("data-pick-value");
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
    if (!option) {
      option = new Option(choice.getAttribute("data-pick-label"), value);
      select.add(option);
    }
    select.value = value;
    picker.querySelector(".portal-picker-results").replaceChildren();
    var search = picker.querySelector("input[type=search]");
    if (search) search.value = "";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    select.focus();
  });

  // Enter in a picker's search box searches at once instead of submitting the form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-picker] input[type=search]")) return;
    event.preventDefault();
    event.target.dispatchEvent(new Event("search", { bubbles: true }));
  });

  // Destructive or important actions ask first: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A form submits once: the submit buttons are disabled while the request runs,
  // so a double click cannot create two records.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("hx-post") || form.hasAttribute("data-allow-resubmit")) return;
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
  });

  // Back/forward cache restores disabled buttons: enable them again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = false;
      });
    });
  });
})();
