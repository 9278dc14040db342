// Draws the dashboard's charts with Chart.js from the figures the page already holds as JSON data
// (json_script). The tables under each chart carry the same figures, so without JavaScript, or for a
// screen reader, nothing is lost; the canvases are hidden from assistive technology.
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var Chart = window.Chart;

  // GOV.UK Frontend colours, strong enough to tell apart in greyscale print as well.
  var COLOURS = { green: "#00703c", blue: "#1d70b8", red: "#d4351c", grey: "#505a5f" };

  Chart.defaults.font.family = "arial, sans-serif";
  Chart.defaults.font.size = 14;
  Chart.defaults.color = "#0b0c0c";
  Chart.defaults.animation = false;

  function datasets(spec, kind) {
    return spec.series.map(function (series) {
      var colour = COLOURS[series.colour] || COLOURS.grey;
      return {
        label: series.label,
        data: series.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: kind === "line" ? 3 : 0,
        pointRadius: kind === "line" ? 3 : 0,
        stepped: false,
        fill: false
      };
    });
  }

  function options(kind) {
    var integerTicks = { precision: 0 };
    if (kind === "stacked") {
      return {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: integerTicks, title: { display: true, text: "Actions" } },
          y: { stacked: true }
        },
        plugins: { legend: { position: "bottom" } }
      };
    }
    return {
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: integerTicks } },
      plugins: { legend: { display: false } }
    };
  }

  var charts = [];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = data[canvas.getAttribute("data-chart")];
    if (!spec || !spec.labels.length) {
      return;
    }
    var kind = canvas.getAttribute("data-chart-kind");
    var wrapper = canvas.parentElement;
    if (kind === "stacked") {
      // Room for every bar and its label, however many themes or owners there are.
      wrapper.style.height = Math.max(160, spec.labels.length * 34 + 90) + "px";
    }
    charts.push(
      new Chart(canvas, {
        type: kind === "line" ? "line" : "bar",
        data: { labels: spec.labels, datasets: datasets(spec, kind) },
        options: options(kind)
      })
    );
  });

  // Redraw at the printed width, so a board pack prints crisp charts that fit the A4 page.
  // With the charts drawn, the monthly table folds away (it stays open without JavaScript).
  if (charts.length) {
    document.querySelectorAll("details.app-details--print-open").forEach(function (details) {
      details.open = false;
    });
  }

  // A printed board pack also carries the monthly figures, so open their details while printing.
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.app-details--print-open:not([open])").forEach(function (details) {
      details.open = true;
      closedForPrint.push(details);
    });
    charts.forEach(function (chart) { chart.resize(); });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (details) { details.open = false; });
    closedForPrint = [];
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
