// The console's maps: the queue map (clustered markers coloured by flag) and the report page's small map.
// The markers come from the page itself, so they show even when the tile server cannot be reached.
(function () {
  "use strict";
  if (typeof L === "undefined") return; // Leaflet not installed (see `make setup`): the lists still show

  var LEVELS = ["none", "amber", "red"];

  var baseMap = window.HedgerowMap.baseMap; // console-basemap.js

  function icon(level, text) {
    var span = document.createElement("span");
    span.textContent = text;
    return L.divIcon({ className: "marker marker-" + level, html: span, iconSize: [26, 26] });
  }

  function markerFor(report) {
    var marker = L.marker([report.lat, report.lon], {
      icon: icon(report.level, report.level === "red" ? "!" : report.level === "amber" ? "•" : ""),
      title: report.title,
      alt: report.title,
      keyboard: true,
      level: report.level,
    });
    var link = document.createElement("a");
    link.href = "/console/reports/" + encodeURIComponent(report.id);
    link.textContent = report.title;
    marker.bindPopup(link);
    return marker;
  }

  function clusterIcon(cluster) {
    var worst = 0;
    cluster.getAllChildMarkers().forEach(function (m) {
      worst = Math.max(worst, LEVELS.indexOf(m.options.level));
    });
    var level = LEVELS[worst];
    var span = document.createElement("span");
    span.textContent = String(cluster.getChildCount());
    return L.divIcon({ className: "cluster cluster-" + level, html: span, iconSize: [38, 38] });
  }

  function queueMap(element) {
    var data = document.getElementById("map-markers");
    var reports = data ? JSON.parse(data.textContent) : [];
    var map = baseMap(element);
    var layer = L.markerClusterGroup
      ? L.markerClusterGroup({ iconCreateFunction: clusterIcon, maxClusterRadius: 50 })
      : L.featureGroup();
    reports.forEach(function (r) {
      layer.addLayer(markerFor(r));
    });
    layer.addTo(map);
    if (reports.length) {
      map.fitBounds(L.latLngBounds(reports.map(function (r) { return [r.lat, r.lon]; })).pad(0.1), { maxZoom: 13 });
    } else {
      map.setView([52.5, -1.5], 6);
    }
  }

  function reportMap(element) {
    var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
    var map = baseMap(element);
    map.setView(point, 14);
    // The marker's words come from the page, in the reader's language.
    var words = element.dataset.markerTitle || "";
    L.marker(point, { icon: icon("red", ""), title: words, alt: words }).addTo(map);
    L.circle(point, { radius: 5000, weight: 1, fill: false }).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var queue = document.getElementById("queue-map");
    if (queue) queueMap(queue);
    var report = document.getElementById("report-map");
    if (report) reportMap(report);
  });
})();
