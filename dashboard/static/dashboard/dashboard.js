// The dashboard: draws the charts from the figures the page hands over with json_script
// (a data block, not a script: the Content-Security-Policy stays strict), and runs the
// customer picker of the filter form. The same numbers are in the tables next to each chart.
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545", "#20c997", "#ffc107", "#6c757d"];

  function drawCharts() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.Chart === "undefined") return;
    var charts = JSON.parse(source.textContent);
    var locale = document.documentElement.lang || undefined;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = charts[canvas.getAttribute("data-chart")];
      if (!spec) return;
      var doughnut = spec.type === "doughnut";
      var datasets = spec.series.map(function (series, index) {
        return {
          label: series.label,
          data: series.data,
          backgroundColor: doughnut ? PALETTE.slice(0, series.data.length) : PALETTE[index % PALETTE.length],
          borderWidth: doughnut ? 1 : 0
        };
      });
      var options = {
        responsive: true,
        maintainAspectRatio: false,
        locale: locale,
        animation: false,
        plugins: { legend: { display: doughnut || datasets.length > 1, position: "bottom" } }
      };
      if (!doughnut) {
        options.indexAxis = spec.horizontal ? "y" : "x";
        var valueAxis = spec.horizontal ? "x" : "y";
        options.scales = {};
        options.scales[valueAxis] = { beginAtZero: true, stacked: !!spec.stacked };
        // Counts of calls have no halves.
        if (spec.integer) options.scales[valueAxis].ticks = { precision: 0 };
        options.scales[spec.horizontal ? "y" : "x"] = { stacked: !!spec.stacked };
      }
      new window.Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: datasets },
        options: options
      });
    });
  }

  function customerPicker() {
    var form = document.getElementById("dashboard-filters");
    var search = document.getElementById("customer-search");
    var hidden = document.getElementById("id_customer");
    var results = document.getElementById("customer-results");
    if (!form || !search || !hidden || !results) return;

    results.addEventListener("click", function (event) {
      var button = event.target.closest("[data-pick-customer]");
      if (!button) return;
      hidden.value = button.getAttribute("data-pick-customer");
      search.value = button.getAttribute("data-name");
      results.innerHTML = "";
    });
    // Emptying the search box means "any customer".
    search.addEventListener("input", function () {
      if (!search.value.trim()) hidden.value = "";
    });
    // The search text is not a filter: only the chosen customer's number is submitted.
    form.addEventListener("submit", function () {
      search.disabled = true;
    });
    window.addEventListener("pageshow", function () {
      search.disabled = false;
    });
  }

  drawCharts();
  customerPicker();
})();
