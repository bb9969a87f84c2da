// The map every console map starts from: OpenStreetMap tiles from the configured tile server, no scroll-wheel zoom
// (the page scrolls), and, if a tile cannot be fetched, the page's note saying so. Loaded before console-map.js
// and console-alerts.js, which draw on it.
(function () {
  "use strict";
  if (typeof L === "undefined") return; // Leaflet not installed (see `make setup`): the pages still work

  var ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

  window.HedgerowMap = {
    baseMap: function (element) {
      var map = L.map(element, { scrollWheelZoom: false });
      var tiles = L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: ATTRIBUTION });
      var failed = false;
      tiles.on("tileerror", function () {
        if (failed) return;
        failed = true;
        element.classList.add("tiles-failed");
        var note = document.getElementById("tiles-note");
        if (note) note.hidden = false;
      });
      tiles.addTo(map);
      return map;
    },
  };
})();
