// The quote editor: live totals come from an htmx request (see quote_detail.html). When the
// form is submitted, the trigger is removed so a debounced totals request still waiting does not
// race the save: the page is leaving and the save recomputes everything on the server anyway.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var trigger = event.target.querySelector("[data-live-totals]");
    if (!trigger) return;
    trigger.remove();
  }, true);
})();
