// The alert maps: on the alert form, a click on the map sets the centre and the radius field sizes the circle
// (typing the centre and the radius draws it too); on an alert's page, its circle. Without JavaScript the fields
// are typed and the page lists the area in words.
(function () {
  "use strict";
  if (typeof L === "undefined") return; // Leaflet not installed (see `make setup`): the fields still work

  var UK = [[49.9, -8.2], [58.7, 1.8]];

  var baseMap = window.HedgerowMap.baseMap; // console-basemap.js

  function number(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function formMap(element) {
    var form = element.closest("form");
    var lat = form.querySelector("input[name=lat]");
    var lon = form.querySelector("input[name=lon]");
    var radius = form.querySelector("input[name=radius_km]");
    var map = baseMap(element);
    var circle = null;
    var centre = null;

    function draw(fit) {
      var la = number(lat), lo = number(lon), r = number(radius);
      if (la === null || lo === null || Math.abs(la) > 90 || Math.abs(lo) > 180) return;
      var point = [la, lo];
      if (!centre) {
        centre = L.circleMarker(point, { radius: 6, weight: 2 }).addTo(map);
      } else {
        centre.setLatLng(point);
      }
      if (r !== null && r > 0) {
        if (!circle) {
          circle = L.circle(point, { radius: r * 1000, weight: 2, className: "alert-circle" }).addTo(map);
        } else {
          circle.setLatLng(point);
          circle.setRadius(r * 1000);
        }
        if (fit) map.fitBounds(circle.getBounds().pad(0.2));
      }
      element.dataset.centre = la.toFixed(5) + "," + lo.toFixed(5);
    }

    var bounds = element.dataset.bounds ? JSON.parse(element.dataset.bounds) : UK;
    map.fitBounds(bounds);
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(5);
      lon.value = event.latlng.lng.toFixed(5);
      draw(false);
    });
    [lat, lon, radius].forEach(function (input) {
      input.addEventListener("input", function () { draw(false); });
      input.addEventListener("change", function () { draw(true); });
    });
    draw(true);
  }

  function pageMap(element) {
    var point = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
    var map = baseMap(element);
    map.setView(point, 10); // a view first: Leaflet adds a layer to a map only once it has one
    var circle = L.circle(point, {
      radius: parseFloat(element.dataset.radius) * 1000, weight: 2, className: "alert-circle",
    }).addTo(map);
    L.circleMarker(point, { radius: 6, weight: 2 }).addTo(map);
    map.fitBounds(circle.getBounds().pad(0.2));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("alert-form-map");
    if (form) formMap(form);
    var shown = document.getElementById("alert-map");
    if (shown) pageMap(shown);
  });
})();
