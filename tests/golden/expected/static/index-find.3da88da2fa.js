/* The tags and countries indexes' find box: progressive enhancement, no dependencies.
 *
 * The box is in the page from the start, unseen (its space kept, so nothing moves); this script
 * shows it and, as the reader types, hides the rows whose name does not hold what was typed
 * (case and accents aside), the letters left with no row, and their jumps.
 */
(function () {
  "use strict";
  var form = document.querySelector(".index-find");
  var input = form && form.querySelector("input");
  if (!input) {
    return;
  }
  var status = form.querySelector(".index-find-status");
  var sections = Array.prototype.slice.call(document.querySelectorAll(".index-section"));
  var jumps = {};
  Array.prototype.forEach.call(document.querySelectorAll(".letter-jumps a"), function (link) {
    jumps[link.getAttribute("href").slice(1)] = link;
  });

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  var rows = sections.map(function (section) {
    return Array.prototype.map.call(section.querySelectorAll("li"), function (item) {
      return { item: item, name: fold(item.querySelector("a").textContent) };
    });
  });

  function narrow() {
    var wanted = fold(input.value);
    var shown = 0;
    sections.forEach(function (section, i) {
      var left = 0;
      rows[i].forEach(function (row) {
        var keep = !wanted || row.name.indexOf(wanted) !== -1;
        row.item.hidden = !keep;
        left += keep ? 1 : 0;
      });
      section.hidden = left === 0;
      if (section.id && jumps[section.id]) {
        jumps[section.id].hidden = left === 0;
      }
      shown += left;
    });
    status.textContent = !wanted ? "" :
      shown === 0 ? form.dataset.none : form.dataset.shown.replace("{count}", shown);
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); });
  input.addEventListener("input", narrow);
  form.classList.add("ready");
  if (input.value) {
    narrow();       // a value the browser kept on going back
  }
}());
