/* Search page: start Pagefind's UI on #search and run the query from ?q=. */
(function () {
  "use strict";
  if (typeof window.PagefindUI !== "function") {
    return;  // no Pagefind bundle: the plain form and the fallback message stay
  }
  var ui = new window.PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    debounceTimeoutMs: 40   // results follow typing within ~100 ms (tests/browser measure it)
  });
  var input = document.querySelector("#search input");
  if (input) {
    input.setAttribute("aria-label", "Search the timeline");  // Pagefind's input has only a title
  }
  document.getElementById("search-form").hidden = true;
  document.getElementById("search-fallback").hidden = true;
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
