/* The overview of a listing (templates/_macros.html, overview_nav): its years, and the months of
   the open year, are one tab stop each (a roving tab index). The arrow keys move along a row,
   Home and End to its ends, and moving to a year opens its months in place (every year's months
   take the same room, so nothing below moves). Without this script each is a plain link. */
(function () {
  "use strict";

  var STEPS = { ArrowRight: 1, ArrowLeft: -1 };

  function links(list) {
    return Array.prototype.slice.call(list.querySelectorAll("a"));
  }

  /* Leave one link of a row in the tab order: current. */
  function rove(row, current) {
    row.forEach(function (link) { link.tabIndex = link === current ? 0 : -1; });
  }

  function setUp(overview) {
    var years = overview.querySelector(".ov-years");
    var panels = Array.prototype.slice.call(overview.querySelectorAll(".ov-months"));
    var yearLinks = links(years);
    rove(yearLinks, overview.querySelector(".ov-years .is-open") || yearLinks[0]);
    panels.forEach(function (panel) { rove(links(panel), links(panel)[0]); });

    function open(year) {
      panels.forEach(function (panel) { panel.hidden = panel.getAttribute("data-year") !== year; });
      yearLinks.forEach(function (link) {
        link.classList.toggle("is-open", link.getAttribute("data-year") === year);
      });
    }

    overview.addEventListener("keydown", function (event) {
      var list = event.target.closest("ol");
      if (!list || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      var row = links(list);
      var index = row.indexOf(event.target);
      var step = STEPS[event.key];
      if (index < 0 || (step === undefined && event.key !== "Home" && event.key !== "End")) return;
      if (step !== undefined && getComputedStyle(list).direction === "rtl") step = -step;
      var next = event.key === "Home" ? 0 : event.key === "End" ? row.length - 1
        : Math.max(0, Math.min(row.length - 1, index + step));
      event.preventDefault();
      rove(row, row[next]);
      row[next].focus();
      if (list === years && panels.length) open(row[next].getAttribute("data-year"));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-overview]"), setUp);
})();
