/* The workbench charts: each [data-chart-src] element is drawn with the vendored Apache ECharts from its
 * panel's figures, embedded in the page as <script type="application/json" id="<panel id>-data">, or
 * else fetched from the panel's JSON endpoint (one request per panel). Counts, amounts and days are bars on the left axis;
 * rates (fractions) are lines on a right axis in per cent. The same figures are in the table under
 * each chart, rendered by the server, so nothing is lost when scripts are off. */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;

  var PALETTE = ["#b3261e", "#1f5fa8", "#c9a227", "#2f7d4a", "#7b4fa0", "#d9731f", "#4a5a6a"];
  var requests = {};
  var charts = [];

  function load(url, embeddedId) {
    var embedded = embeddedId && document.getElementById(embeddedId);
    if (embedded) return Promise.resolve(JSON.parse(embedded.textContent));
    if (!requests[url]) {
      requests[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
        function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        }
      );
    }
    return requests[url];
  }

  function pct(v) {
    return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%";
  }

  function number(v, unit) {
    if (v === null || v === undefined || v === "") return null;
    var n = parseFloat(v);
    return unit === "rate" ? Math.round(n * 1000) / 10 : n;
  }

  function option(chart) {
    var hasRate = chart.series.some(function (s) { return s.unit === "rate"; });
    var hasValue = chart.series.some(function (s) { return s.unit !== "rate"; });
    var narrow = window.innerWidth < 600;
    var yAxis = [];
    if (hasValue) yAxis.push({ type: "value", minInterval: 1, axisLabel: { fontSize: 11 } });
    if (hasRate) yAxis.push({ type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", fontSize: 11 } });
    return {
      color: PALETTE,
      animation: false,
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var lines = [items.length ? items[0].axisValueLabel : ""];
          items.forEach(function (it) {
            var s = chart.series[it.seriesIndex];
            var raw = s.data[it.dataIndex];
            var shown = s.unit === "rate" ? pct(raw) : raw === null ? "—" : raw;
            lines.push(it.marker + s.name + "：" + shown);
          });
          return lines.join("<br>");
        },
      },
      legend: { type: "scroll", top: 0, textStyle: { fontSize: 11 } },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: chart.categories,
        axisLabel: {
          interval: chart.categories.length > 6 ? "auto" : 0,
          hideOverlap: true,
          rotate: narrow && chart.categories.length > 2 ? 30 : 0,
          fontSize: 11,
          width: narrow ? 80 : 120,
          overflow: "truncate",
        },
      },
      yAxis: yAxis,
      series: chart.series.map(function (s) {
        var rate = s.unit === "rate";
        return {
          name: s.name,
          type: rate ? "line" : "bar",
          yAxisIndex: rate && hasValue ? 1 : 0,
          stack: chart.stack && !rate ? "total" : undefined,
          connectNulls: false,
          barMaxWidth: 28,
          data: s.data.map(function (v) { return number(v, s.unit); }),
        };
      }),
    };
  }

  document.querySelectorAll("[data-chart-src]").forEach(function (el) {
    var panel = el.closest(".dash-panel");
    load(el.getAttribute("data-chart-src"), panel && panel.id + "-data")
      .then(function (payload) {
        var chart = payload.charts.filter(function (c) { return c.id === el.getAttribute("data-chart-id"); })[0];
        if (!chart) return;
        var instance = window.echarts.init(el, null, { renderer: "canvas" });
        instance.setOption(option(chart));
        charts.push(instance);
        el.setAttribute("data-chart-ready", "true");
      })
      .catch(function () {
        el.setAttribute("data-chart-ready", "failed");
        el.hidden = true;
        var table = el.parentNode.querySelector("details.chart-table");
        if (table) table.open = true;
      });
  });

  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) { c.resize(); });
    }, 150);
  });
})();
