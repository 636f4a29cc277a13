// Drag an intervention from "To plan" onto a technician's day: opens the planning form with
// that technician and day filled in (the plain form does the rest; nothing is saved here).
(function () {
  "use strict";
  var board = document.querySelector("[data-testid=planner-board]");
  if (!board) return;

  document.querySelectorAll(".planner-unplanned [draggable=true]").forEach(function (item) {
    item.addEventListener("dragstart", function (event) {
      event.dataTransfer.setData("text/plain", item.getAttribute("data-plan-url"));
      event.dataTransfer.effectAllowed = "copy";
    });
  });

  board.querySelectorAll("td[data-day]").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      event.preventDefault();
      cell.classList.add("planner-drop-target");
    });
    cell.addEventListener("dragleave", function () {
      cell.classList.remove("planner-drop-target");
    });
    cell.addEventListener("drop", function (event) {
      event.preventDefault();
      cell.classList.remove("planner-drop-target");
      var url = event.dataTransfer.getData("text/plain");
      if (!url || url.charAt(0) !== "/") return;
      var params = new URLSearchParams({
        technician: cell.getAttribute("data-technician"),
        date: cell.getAttribute("data-day"),
      });
      window.location.assign(url + "?" + params.toString());
    });
  });
})();
