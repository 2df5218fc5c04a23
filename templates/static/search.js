/* Search page: results follow typing. The work happens in search-engine.js (sitegen's own
   index, searchindex/, on the page itself); this script keeps the form, the result list and ?q=
   in step.

   - Each keystroke asks for its query at once (no fixed delay): the engine fetches the words
     chunks it needs (each once per page), and answers that are no longer wanted are not shown.
   - Only the first 10 results are loaded; "More results" loads the next 10.
   - ?q=, ?tag=, ?country=, ?year= and ?sort= hold the search, so a search can be shared and the header's
     search box (which submits ?q=) lands on its results.
   - The result count is announced (role=status); ArrowDown in the box moves to the results.
   - Reports of one event (the index's fragments carry the event) are one result: the
     best-ranked report, with the others listed under it by source ("Also reported by", the
     label the entry pages use, taken from the page), so the results stay in order of relevance.
*/
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || !root.getAttribute("data-bundle")) {
    return;
  }
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var options = document.getElementById("search-options");
  var selects = {
    tag: document.getElementById("search-tag"),
    country: document.getElementById("search-country"),
    year: document.getElementById("search-year"),
    sort: document.getElementById("search-sort")
  };
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var config = {
    bundle: root.getAttribute("data-bundle"),
    base: root.getAttribute("data-base"),
    engine: root.getAttribute("data-engine")
  };
  var alsoLabel = root.getAttribute("data-also");
  var lang = document.documentElement.lang || undefined;
  var plurals = new Intl.PluralRules(lang);
  var TEXT = JSON.parse(root.getAttribute("data-text"));
  // The month's name as written beside a day ("1 March", "1 марта").
  var dayAndMonth = new Intl.DateTimeFormat(lang, {day: "numeric", month: "long", timeZone: "UTC"});

  // The page's words for a key (templates/search.html writes them in data-text): a sentence with {named}
  // places, or for a count its forms by the language's plural category.
  function text(key, values) {
    var message = TEXT[key];
    values = values || {};
    if (typeof message === "object") {
      message = message[plurals.select(values.count)] || message.other;
    }
    return message.replace(/\{(\w+)\}/g, function (whole, name) {
      var value = values[name];
      return typeof value === "number" ? value.toLocaleString(lang) : value === undefined ? whole : value;
    });
  }

  var LOOK_MS = 60000;       // how often a search compares index.json with the engine's index

  // The engine (search-engine.js), loaded when the page is. When the site is deployed again
  // under an open page, the engine is asked now and then whether its index is still the site's;
  // if not, a new engine takes over and the search runs again.
  var engine = null;         // promise of the engine
  var looking = false;       // whether the engine is started and no new one is on its way
  var lookedAt = 0;          // when the engine was last asked
  var engineModule = null;
  function call(method, args) {
    return engine.then(function (searchEngine) { return searchEngine[method](args); });
  }

  function startEngine() {
    var previous = engine;
    engineModule = engineModule || import(config.engine).catch(function (error) {
      engineModule = null;     // tried again by the next start
      throw error;
    });
    engine = engineModule.then(function (module) { return module.createEngine(); });
    if (previous) {
      previous.then(function (old) { old.stop(); });
    }
    lookedAt = Date.now();
    return call("start", {bundle: config.bundle, base: config.base}).then(function (info) {
      looking = true;
      intro = text("intro", {count: info.pages});
      return info;
    });
  }

  function lookForNewIndex(now) {
    if (!looking || (!now && Date.now() - lookedAt < LOOK_MS)) {
      return;
    }
    lookedAt = Date.now();
    call("indexChanged", {})
      .then(function (changed) {
        if (!changed) {
          return;
        }
        looking = false;
        return startEngine().then(function () {
          if (hasSearch()) {
            run();
          }
          return filtersLoaded && loadFilters();
        });
      })
      .catch(function () {});   // the next look tries again
  }

  var searches = 0;          // id of the newest search asked for
  var intro = "";            // what the status says before any search
  var totals = {};           // every tag, country and year with its number of entries
  var counts = {};           // the same, among the results shown
  var shown = null;          // {id, total, count} of the results on screen
  var events = {};           // each event among the results on screen: the <li> showing it
  var pages = 0;

  var FILTERS = ["tag", "country", "year"];   // the index's filters

  // Whether the form asks for anything: words, a tag, a country or a year.
  function hasSearch() {
    return Boolean(input.value || FILTERS.some(function (name) { return selects[name].value; }));
  }

  function state() {
    return {
      query: input.value.trim(),
      filters: {tag: selects.tag.value, country: selects.country.value, year: selects.year.value},
      sort: selects.sort.value
    };
  }

  function serialize(s) {
    var params = new URLSearchParams();
    if (s.query) { params.set("q", s.query); }
    FILTERS.forEach(function (name) {
      if (s.filters[name]) { params.set(name, s.filters[name]); }
    });
    if (s.sort) { params.set("sort", s.sort); }
    return params.toString();
  }

  function keepInUrl(search) {
    var url = window.location.pathname + (search ? "?" + search : "") + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(window.history.state, "", url);
    }
  }

  function describe(s, total) {
    var what = [];
    if (s.query) { what.push(text("query", {query: s.query})); }
    if (s.filters.tag) { what.push(text("tag", {tag: s.filters.tag})); }
    if (s.filters.country) { what.push(text("country", {country: s.filters.country})); }
    if (s.filters.year) { what.push(text("year", {year: s.filters.year})); }
    what = what.join(text("separator"));
    return total ? text("results", {count: total, what: what}) : text("no_results", {what: what});
  }

  function excerpt(text) {
    // The engine's excerpt is escaped text with <mark> around the found words: build it as nodes.
    var p = document.createElement("p");
    p.className = "search-excerpt";
    text.split(/(<mark>|<\/mark>)/).reduce(function (marked, part) {
      if (part === "<mark>") { return true; }
      if (part === "</mark>") { return false; }
      if (part) {
        var value = part.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"")
          .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
        var node = document.createTextNode(value);
        if (marked) {
          var mark = document.createElement("mark");
          mark.appendChild(node);
          node = mark;
        }
        p.appendChild(node);
      }
      return marked;
    }, false);
    return p;
  }

  function formatDate(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
    if (!parts) { return iso; }
    // "1 March 2019", as the site's own pages write dates.
    var month = dayAndMonth.formatToParts(new Date(Date.UTC(+parts[1], +parts[2] - 1, 1)))
      .filter(function (part) { return part.type === "month"; })[0].value;
    return text("date", {day: String(+parts[3]), month: month, year: parts[1]});
  }

  // Another report of an event already shown: a link by its source under that event's result.
  function addReport(li, item) {
    var also = li.querySelector(".search-also");
    if (also) {
      also.appendChild(document.createTextNode(", "));
    } else {
      also = document.createElement("p");
      also.className = "search-also";
      also.appendChild(document.createTextNode(alsoLabel + ": "));
      li.appendChild(also);
    }
    var a = document.createElement("a");
    a.href = item.url;
    a.textContent = item.source || item.title;
    also.appendChild(a);
  }

  // The items as result list items; a report of an event already shown joins its result.
  function render(items) {
    var fragment = document.createDocumentFragment();
    items.forEach(function (item) {
      if (item.event && events[item.event]) {
        addReport(events[item.event], item);
        return;
      }
      var li = document.createElement("li");
      li.className = "search-result";
      var a = document.createElement("a");
      a.className = "search-result-link";
      a.href = item.url;
      a.textContent = item.title;
      li.appendChild(a);
      if (item.date) {
        var time = document.createElement("time");
        time.dateTime = item.date.slice(0, 10);
        time.textContent = formatDate(item.date);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(time);
      }
      if (item.excerpt) {
        li.appendChild(excerpt(item.excerpt));
      }
      if (item.event) {
        events[item.event] = li;
      }
      fragment.appendChild(li);
    });
    return fragment;
  }

  // Work the results do not wait for (renaming 500 tag options) runs when the page is idle.
  var later = window.requestIdleCallback
    ? function (task) { window.requestIdleCallback(task, {timeout: 500}); }
    : function (task) { window.setTimeout(task, 50); };

  // Each option's text as the page gave it: the value and its number of entries.
  var pageTexts = new Map();
  FILTERS.forEach(function (name) {
    Array.prototype.forEach.call(selects[name].options, function (option) {
      pageTexts.set(option, option.textContent);
    });
  });

  function showCounts(counts) {
    // Each tag, country and year with the number of the current results that have it; while
    // the index's facets are not loaded (the engine counts only with them) a list shows its
    // values, or, with no search, the page's totals.
    FILTERS.forEach(function (name) {
      var select = selects[name];
      var values = counts[name];
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) {
          return;
        }
        if (values) {
          option.textContent = text("option", {value: option.value, count: values[option.value] || 0});
        } else {
          option.textContent = counts === totals && pageTexts.get(option) || option.value;
        }
      });
    });
  }

  // A tag's slug as its page's address has it ("south-korea" for "South Korea"), for ?tag=slug:
  // ASCII letters and digits, the rest dashes; apostrophes dropped as the slugs drop them.
  function slugOf(name) {
    return name.normalize("NFKD").replace(/[\u0300-\u036f'\u2019\u02bc]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  // The value among values whose slug is wanted (when exactly one has it), or "".
  function bySlug(values, wanted) {
    var matching = wanted ? values.filter(function (value) { return slugOf(value) === wanted; }) : [];
    return matching.length === 1 ? matching[0] : "";
  }

  function run() {
    lookForNewIndex(false);
    var s = state();
    var id = ++searches;
    var search = serialize(s);
    keepInUrl(search);
    list.setAttribute("aria-busy", "true");
    return call("search", {id: id, query: s.query, filters: s.filters, sort: s.sort})
      .then(function (answer) {
        if (answer.stale || id !== searches) {
          return;
        }
        list.removeAttribute("aria-busy");
        events = {};
        list.replaceChildren(render(answer.items));
        list.setAttribute("data-query", s.query);      // what the list shows, for tests
        list.setAttribute("data-search", search);
        shown = {id: id, total: answer.total, count: answer.items.length, empty: answer.empty};
        more.hidden = shown.count >= shown.total;
        if (answer.empty) {
          status.textContent = s.query ? text("short") : intro;
        } else {
          status.textContent = describe(s, answer.total);
        }
        counts = answer.empty ? totals : answer.counts || {};
        later(function () { if (id === searches) { showCounts(counts); } });
      })
      .catch(function (error) {
        if (id === searches) {
          list.removeAttribute("aria-busy");
          status.textContent = text("unavailable", {error: error.message});
          lookForNewIndex(true);   // a file of the index that is gone: the site was deployed again
        }
      });
  }

  function loadMore() {
    if (!shown) { return; }
    var from = shown.count;
    var id = shown.id;
    more.disabled = true;
    call("more", {id: id, offset: from}).then(function (answer) {
      more.disabled = false;
      if (answer.stale || !shown || shown.id !== id) { return; }
      var first = list.children.length;
      list.appendChild(render(answer.items));
      shown.count += answer.items.length;
      more.hidden = shown.count >= shown.total;
      var link = list.children[first] && list.children[first].querySelector("a");
      if (link) { link.focus(); }
    }, function () { more.disabled = false; });
  }

  // Start: the state from the address (or what was typed before this script ran).
  var params = new URLSearchParams(window.location.search);
  if (params.get("q") !== null && !input.value) {
    input.value = params.get("q");
  }
  FILTERS.forEach(function (name) {
    var wanted = params.get(name);
    if (!wanted) {
      return;
    }
    var select = selects[name];
    var values = Array.prototype.map.call(select.options, function (option) { return option.value; });
    if (values.indexOf(wanted) < 0 && !bySlug(values, wanted)) {
      // A value the lists do not have: kept, so the search says it finds nothing.
      var option = document.createElement("option");
      option.value = option.textContent = wanted;
      select.appendChild(option);
    }
    select.value = values.indexOf(wanted) >= 0 ? wanted : bySlug(values, wanted) || wanted;
  });
  if (/^(newest|oldest)$/.test(params.get("sort") || "")) {
    selects.sort.value = params.get("sort");
  }
  root.hidden = false;
  options.hidden = false;
  document.getElementById("search-fallback").hidden = true;

  // The counts among the results: the engine counts only with the index's facets (the tags'
  // and countries' postings), loaded once the reader turns to the lists (the page holds their
  // values and totals). The results on screen are then searched again for their counts: not
  // while typing, so no keystroke waits for it.
  function loadFilters() {
    return call("filters", {}).then(function (all) {
      totals = all;
      if (shown && !shown.empty) {
        run();
      } else {
        showCounts(totals);
      }
    });
  }

  var filtersLoaded = null;
  function loadFiltersOnce() {
    filtersLoaded = filtersLoaded || loadFilters().catch(function (error) {
      filtersLoaded = null;
      status.textContent = text("unavailable", {error: error.message});
    });
    return filtersLoaded;
  }

  var started = startEngine();
  var firstSearch = hasSearch() ? run() : null;
  started.then(function () {
    if (!status.textContent) {
      status.textContent = intro;
    }
    return firstSearch;
  }).catch(function (error) {
    status.textContent = text("unavailable", {error: error.message});
  });
  ["focusin", "pointerover", "pointerdown"].forEach(function (type) {
    options.addEventListener(type, loadFiltersOnce);
  });

  input.addEventListener("input", run);
  input.addEventListener("focus", function () { lookForNewIndex(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      lookForNewIndex(true);
    }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && list.firstElementChild) {
      event.preventDefault();
      list.querySelector("a").focus();
    }
  });
  Object.keys(selects).forEach(function (name) {
    selects[name].addEventListener("change", run);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  more.addEventListener("click", loadMore);
})();
