/* Faceted filter for the home and tag timelines: progressive enhancement, no dependencies.
 *
 * Without JavaScript the mount shows plain links to the tag and year pages, which are the facets.
 * With it, a "Filter" button replaces them; using it loads the site's filter index once
 * (filter/index.json: each facet's values with the positions, in listing order, of the entries
 * that have them, as varint gaps or a bitset in base64; a relation's are those of both its
 * countries, worked out here) and shows every entry that has all the chosen values, across all
 * pages of the listing. Beside each further choice is how many entries it would leave. Titles
 * and URLs come from filter/entries-K.json, fetched only for the entries shown, from the moment
 * a value is picked. The choice lives in the address (?tag=energy&year=2023&country=ru&country=cn),
 * written with history.replaceState, so a view can be shared and reloaded.
 */
(function () {
  "use strict";
  var mount = document.getElementById("timeline-filter");
  var listing = document.getElementById("listing");
  if (!mount || !listing || !window.fetch || !window.URLSearchParams || !window.Uint32Array ||
      !mount.getAttribute("data-index")) {
    return;
  }
  var lang = document.documentElement.lang || undefined;
  var plurals = new Intl.PluralRules(lang);
  var TEXT = JSON.parse(mount.getAttribute("data-text"));
  var STEP = 20;                                        // entries shown per "Show more"
  var indexUrl = new URL(mount.getAttribute("data-index"), window.location.href);
  var siteRoot = new URL("../", indexUrl);              // the index's URLs are relative to it
  // A tag page's own value: always chosen, never in the address.
  var fixed = { facet: mount.getAttribute("data-facet") || "", key: mount.getAttribute("data-value") || "" };
  var chosen = [];                                      // [{facet, key}], in the order chosen
  var shown = STEP;
  var loading = null;
  var index = null;  // {total, chunk, version, words, facets: [{name, label, pairs, values, byKey}]}
  var chunks = new Map();                               // chunk number -> promise of its entries
  var generation = 0;                                   // the latest apply(); older ones give way
  // byKey maps are Maps: a value may be called "__proto__" or "toString", and so may whatever
  // a reader puts in the address.

  /* The page's words for a key (the template writes them in data-text, see timeline_filter in _macros.html):
     a sentence with {named} places, or for a count its forms by the language's plural category. */
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

  /* A month's name as the page's language writes it: "long" or "short", alone or beside a day. */
  var monthNames = {};
  function monthName(month, width, withDay) {
    var key = width + (withDay ? "-day-" : "-") + month;
    if (!monthNames[key]) {
      var format = new Intl.DateTimeFormat(lang, withDay ? { day: "numeric", month: width, timeZone: "UTC" }
                                                         : { month: width, timeZone: "UTC" });
      monthNames[key] = format.formatToParts(new Date(Date.UTC(2000, month - 1, 1))).filter(function (part) {
        return part.type === "month";
      })[0].value;
    }
    return monthNames[key];
  }

  function el(name, attrs, text) {
    var node = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /* The form exists only with JavaScript; it replaces the plain links, which stay under it
     with visibility: hidden (style.css: unseen, unheard, not focusable), keeping their place
     so nothing below moves. */
  Array.prototype.forEach.call(mount.children, function (child) {
    child.classList.add("replaced");
  });
  var form = el("form", { "class": "facet-filter", "aria-label": text("label") });
  var toggle = el("button", { type: "button", "class": "filter-toggle", id: "filter-toggle",
                              "aria-expanded": "false", "aria-controls": "filter-panel" },
                  text(fixed.key ? "narrow" : "label"));
  var panel = el("div", { id: "filter-panel", "class": "filter-panel" });
  var fields = el("div", { "class": "filter-fields" });
  var add = el("button", { type: "submit", "class": "filter-add" }, text("add"));
  var chips = el("ul", { "class": "chips", id: "filter-chips", "aria-label": text("chosen") });
  var reset = el("a", { "class": "filter-reset", id: "filter-reset",
                        href: window.location.pathname }, text("reset"));
  var status = el("p", { "class": "filter-status", id: "filter-status", role: "status" });
  panel.hidden = chips.hidden = reset.hidden = true;
  panel.appendChild(fields);
  panel.appendChild(add);
  form.appendChild(toggle);
  form.appendChild(panel);
  form.appendChild(chips);
  form.appendChild(reset);
  form.appendChild(status);
  mount.appendChild(form);
  // The header's count of the listing, and its page number: while the filter shows its
  // results, the count is theirs and the page number goes (the results are not paged).
  var count = document.getElementById("listing-count");
  var listingCount = count && count.textContent;
  var pageNumber = document.querySelector(".page-header .page-number");
  var results = el("div", { id: "filter-results" });
  results.hidden = true;
  listing.parentNode.insertBefore(results, listing);

  function say(text) {
    status.textContent = text;
  }

  /* A value's positions as a bitset of `words` 32-bit words (see filterindex.py). */
  function decode(text, words) {
    var bits = new Uint32Array(words), raw = atob(text.slice(1)), i, byte;
    if (text.charAt(0) === "b") {
      for (i = 0; i < raw.length; i++) {
        bits[i >> 2] |= raw.charCodeAt(i) << ((i & 3) * 8);
      }
      return bits;
    }
    var gap = 0, shift = 0, position = -1;
    for (i = 0; i < raw.length; i++) {
      byte = raw.charCodeAt(i);
      gap += (byte & 0x7f) * Math.pow(2, shift);
      shift += 7;
      if (byte < 0x80) {
        position += gap + 1;
        bits[position >> 5] |= 1 << (position & 31);
        gap = shift = 0;
      }
    }
    return bits;
  }

  function popcount(x) {
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }

  function loadIndex() {
    if (!loading) {
      loading = fetch(indexUrl.href, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      }).then(function (data) {
        var words = Math.ceil(data.entries / 32);
        index = { total: data.entries, chunk: data.chunk, version: data.version || "",
                  words: words, facets: [] };
        data.facets.forEach(function (facet) {
          var values = facet.pairs ? pairValues(facet) : facet.values.map(function (value) {
            return { facet: facet.name, key: value[0], label: value[1], url: value[2],
                     bits: decode(value[3], words) };
          });
          var byKey = new Map();
          values.forEach(function (value, number) {
            value.number = number;
            byKey.set(value.key, value);
          });
          index.facets.push({ name: facet.name, label: facet.label, pairs: facet.pairs || "",
                              values: values, byKey: byKey,
                              rows: facet.pairs ? null : rowsOf(values, data.entries),
                              byEnds: facet.pairs ? byEnds(values, facetNamed(facet.pairs)) : null });
        });
        buildFields();
        return index;
      });
      loading.catch(function () {
        loading = null;
        say(text("index_failed"));
      });
    }
    return loading;
  }

  /* Each entry's values of a facet, by position: their numbers in its list. */
  function rowsOf(values, total) {
    var rows = [], p;
    for (p = 0; p < total; p++) {
      rows.push([]);
    }
    values.forEach(function (value, number) {
      setPositions(value.bits, total).forEach(function (position) { rows[position].push(number); });
    });
    return rows;
  }

  /* A facet of pairs ("cn-ru"): each value holds the entries that have both of its keys in the
     facet it pairs, and is labelled by theirs ("China – Russia"). */
  function pairValues(facet) {
    var of = facetNamed(facet.pairs);
    return facet.values.map(function (value) {
      var ends = value[0].split("-").map(function (key) { return of.byKey.get(key); });
      var bits = new Uint32Array(index.words);
      for (var w = 0; w < index.words; w++) {
        bits[w] = ends[0].bits[w] & ends[1].bits[w];
      }
      return { facet: facet.name, key: value[0], label: ends[0].label + " – " + ends[1].label,
               url: value[1], bits: bits, ends: ends.map(function (end) { return end.number; }) };
    });
  }

  /* A pair facet's table: [a * size + b] (a < b, their numbers in the facet it pairs) -> the
     pair's number, or -1. */
  function byEnds(values, of) {
    var size = of.values.length, table = new Int32Array(size * size).fill(-1);
    values.forEach(function (value) {
      table[Math.min(value.ends[0], value.ends[1]) * size + Math.max(value.ends[0], value.ends[1])] =
        value.number;
    });
    return table;
  }

  function facetNamed(name) {
    return index.facets.filter(function (facet) { return facet.name === name; })[0];
  }

  /* The value a choice names, or null when the index has none by that key. */
  function valueOf(choice) {
    var facet = facetNamed(choice.facet);
    if (!facet) {
      return null;
    }
    return facet.byKey.get(choice.key) || facet.byKey.get(choice.key.toLowerCase()) || null;
  }

  function buildFields() {
    index.facets.forEach(function (facet) {
      var id = "filter-" + facet.name;
      var field = el("div", { "class": "filter-field" });
      field.appendChild(el("label", { "for": id }, facet.label));
      field.appendChild(el("select", { id: id, name: facet.name }));
      fields.appendChild(field);
    });
  }

  /* Each facet's options: the values not chosen that leave entries, with how many. */
  function fillOptions(counts) {
    index.facets.forEach(function (facet) {
      var select = document.getElementById("filter-" + facet.name);
      var options = document.createDocumentFragment();
      options.appendChild(el("option", { value: "" }, text("any", { facet: facet.label.toLocaleLowerCase(lang) })));
      facet.values.forEach(function (value, number) {
        var count = counts.get(facet)[number];
        if (count && !isChosen(facet.name, value.key)) {
          options.appendChild(el("option", { value: value.key },
                                 text("option", { value: flagged(facet, value) + value.label, count: count })));
        }
      });
      select.textContent = "";
      select.appendChild(options);
    });
  }

  /* A country's flag and a space, as its pages show it (regional indicator letters), or "". */
  function flagged(facet, value) {
    var codes = facet.name === "country" ? [value.key]
              : facet.pairs === "country" ? value.key.split("-") : [];
    return codes.map(function (code) {
      return String.fromCodePoint.apply(null, code.toUpperCase().split("").map(function (letter) {
        return 0x1f1a5 + letter.charCodeAt(0);
      })) + " ";
    }).join("");
  }

  function isChosen(facet, key) {
    return (fixed.facet === facet && fixed.key === key) || chosen.some(function (choice) {
      return choice.facet === facet && choice.key === key;
    });
  }

  function readAddress() {
    var params = new URLSearchParams(window.location.search);
    chosen = [];
    params.forEach(function (key, name) {
      if (name === "tags") {                            // the form of earlier versions: ?tags=a,b
        key.split(",").forEach(function (slug) { choose("tag", slug.trim()); });
      } else if (/^(tag|year|country|relation)$/.test(name) || (index && facetNamed(name))) {
        choose(name, key.trim());
      }
    });
  }

  function choose(facet, key) {
    if (key && !isChosen(facet, key)) {
      chosen.push({ facet: facet, key: key });
    }
  }

  function writeAddress() {
    var url = new URL(window.location.href);
    var params = url.searchParams;
    ["tags"].concat(index.facets.map(function (facet) { return facet.name; })).forEach(function (name) {
      params.delete(name);
    });
    index.facets.forEach(function (facet) {
      chosen.forEach(function (choice) {
        if (choice.facet === facet.name) {
          params.append(facet.name, choice.key);
        }
      });
    });
    if (url.href !== window.location.href) {
      window.history.replaceState(null, "", url.href);
    }
  }

  function labelOf(choice) {
    var value = valueOf(choice);
    return value ? value.label : choice.key;
  }

  function facetWord(choice) {
    var facet = facetNamed(choice.facet);
    return facet ? facet.label.toLocaleLowerCase(lang) : choice.facet;
  }

  function drawChips() {
    chips.textContent = "";
    chosen.forEach(function (choice) {
      var item = el("li");
      var button = el("button", { type: "button", "class": "chip", "data-facet": choice.facet,
                                  "data-key": choice.key,
                                  "aria-label": text("remove", { facet: facetWord(choice), value: labelOf(choice) }) });
      button.appendChild(el("span", {}, text("chip", { facet: facetWord(choice), value: labelOf(choice) })));
      button.appendChild(el("span", { "aria-hidden": "true", "class": "chip-x" }, "×"));
      item.appendChild(button);
      chips.appendChild(item);
    });
    chips.hidden = reset.hidden = chosen.length === 0;
  }

  /* The bitset of the entries with every wanted value (all entries when none is). */
  function intersect(values) {
    var words = index.words, bits = new Uint32Array(words), w, v;
    bits.fill(0xffffffff);
    if (index.total % 32) {
      bits[words - 1] = (Math.pow(2, index.total % 32) - 1) >>> 0;
    }
    for (v = 0; v < values.length; v++) {
      for (w = 0; w < words; w++) {
        bits[w] &= values[v].bits[w];
      }
    }
    return bits;
  }

  /* How many entries of `bits` each value of each facet has: a Map facet -> counts. Each entry
     adds one to each of its values, and to each pair of its values of a facet others pair, so
     the work grows with the entries, not with the values (1,770 pairs at 10,000 entries). */
  function countWithin(bits) {
    var counts = new Map(), list = setPositions(bits, index.total);
    index.facets.forEach(function (facet) {
      var tally = new Int32Array(facet.values.length);
      counts.set(facet, tally);
      if (facet.pairs) {
        var rows = facetNamed(facet.pairs).rows, size = facetNamed(facet.pairs).values.length;
        list.forEach(function (position) {
          var row = rows[position], i, j, pair;
          for (i = 0; i < row.length; i++) {
            for (j = i + 1; j < row.length; j++) {
              pair = facet.byEnds[Math.min(row[i], row[j]) * size + Math.max(row[i], row[j])];
              if (pair >= 0) {
                tally[pair]++;
              }
            }
          }
        });
      } else {
        list.forEach(function (position) {
          var row = facet.rows[position];
          for (var i = 0; i < row.length; i++) {
            tally[row[i]]++;
          }
        });
      }
    });
    return counts;
  }

  /* Every position set in bits, in order. */
  function setPositions(bits, total) {
    return positions(bits, total).first;
  }

  /* The first `limit` positions set in bits, and how many are set in all. */
  function positions(bits, limit) {
    var found = [], total = 0, w, word;
    for (w = 0; w < bits.length; w++) {
      word = bits[w];
      if (word) {
        total += popcount(word);
        while (word && found.length < limit) {
          var low = word & -word;
          found.push(w * 32 + 31 - Math.clz32(low));
          word = (word ^ low) >>> 0;
        }
      }
    }
    return { first: found, total: total };
  }

  function loadChunk(number) {
    if (!chunks.has(number)) {
      var url = new URL("entries-" + number + ".json?v=" + encodeURIComponent(index.version),
                        indexUrl);
      var promise = fetch(url.href, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      });
      promise.catch(function () { chunks.delete(number); });
      chunks.set(number, promise);
    }
    return chunks.get(number);
  }

  /* [placed, title, url, words of a loose event date] of each position, fetching only the chunks that hold them. */
  function entriesAt(list) {
    var numbers = [];
    list.forEach(function (position) {
      var number = Math.floor(position / index.chunk);
      if (numbers.indexOf(number) < 0) {
        numbers.push(number);
      }
    });
    return Promise.all(numbers.map(loadChunk)).then(function (loaded) {
      return list.map(function (position) {
        var chunk = loaded[numbers.indexOf(Math.floor(position / index.chunk))];
        return chunk[position % index.chunk];
      });
    });
  }

  function resolve(url) {
    return new URL(url, siteRoot).href;
  }

  function shortDate(iso) {
    return text("short_date", { day: String(Number(iso.slice(8))),
                               month: monthName(Number(iso.slice(5, 7)), "short", true) });
  }

  /* An item as the page's own timeline writes it (templates/_macros.html), with its tags. */
  function entryItem(entry, position) {
    var item = el("li");
    item.appendChild(el("time", { datetime: entry[0] }, entry[3] || shortDate(entry[0])));
    item.appendChild(document.createTextNode(" "));
    item.appendChild(el("a", { href: resolve(entry[2]) }, entry[1]));
    var tags = facetNamed("tag"), meta = el("p", { "class": "tl-meta" });
    (tags ? tags.rows[position] : []).forEach(function (number) {
      var tag = tags.values[number];
      if (meta.firstChild) meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("a", { href: resolve(tag.url) }, tag.label));
    });
    if (meta.firstChild) {
      item.appendChild(meta);
    }
    return item;
  }

  /* Entries grouped under year and month headings, as the page's own timeline shows them. */
  function timeline(entries, list) {
    var root = el("div", { "class": "timeline" });
    var year = null, month = null, items = null, section = null;
    entries.forEach(function (entry, n) {
      // placed at a day, a month, or (an event known to its year only) a year: "2021-00"
      var y = entry[0].slice(0, 4), m = entry[0].length > 4 ? entry[0].slice(0, 7) : y + "-00";
      if (y !== year) {
        year = y;
        month = null;
        section = el("section", { "class": "tl-year", "aria-labelledby": "fy" + y });
        section.appendChild(el("h2", { "class": "tl-year-heading", id: "fy" + y }, y));
        root.appendChild(section);
      }
      if (m !== month) {
        month = m;
        var part = el("section", { "class": "tl-month", "aria-labelledby": "fm" + m });
        part.appendChild(el("h3", { "class": "tl-month-heading", id: "fm" + m },
                            m.slice(5) === "00" ? text("during", { year: y })
                                                : text("month_year", { month: monthName(Number(m.slice(5)), "long"),
                                                                       year: y })));
        items = el("ol", { "class": "tl-list" });
        part.appendChild(items);
        section.appendChild(part);
      }
      items.appendChild(entryItem(entry, list[n]));
    });
    return root;
  }

  /* "tag “russia” and year 2023": what is chosen, the page's own value first. */
  function described(choices) {
    var words = choices.map(function (choice) {
      return text("choice", { facet: facetWord(choice), value: labelOf(choice) });
    });
    return words.length > 1 ? text("list", { first: words.slice(0, -1).join(text("separator")),
                                             last: words[words.length - 1] })
                            : words[0];
  }

  /* The header counts what is shown: the filter's results (text), or the listing (null). */
  function countInHeader(words) {
    if (count) {
      count.textContent = words === null ? listingCount : words;
    }
    if (pageNumber) {
      pageNumber.hidden = words !== null;
    }
  }

  function showListing() {
    countInHeader(null);
    listing.hidden = false;
    results.hidden = true;
    results.textContent = "";
    results.removeAttribute("data-query");
  }

  function apply() {
    var run = ++generation;
    drawChips();
    var wanted = (fixed.key ? [fixed] : []).concat(chosen);
    var counts = countWithin(intersect(fixed.key && valueOf(fixed) ? [valueOf(fixed)] : []));
    if (!chosen.length) {
      fillOptions(counts);
      showListing();
      say("");
      return Promise.resolve();
    }
    var unknown = wanted.filter(function (choice) { return !valueOf(choice); });
    var bits = intersect(unknown.length ? [] : wanted.map(valueOf));
    if (unknown.length) {
      bits.fill(0);
    }
    var found = positions(bits, shown);
    var loaded = entriesAt(found.first);                // fetching while the counts are worked out
    fillOptions(countWithin(bits));
    return loaded.then(function (entries) {
      if (run !== generation) {
        return;
      }
      results.textContent = "";
      results.appendChild(timeline(entries, found.first));
      if (found.total > shown) {
        results.appendChild(el("button", { type: "button", "class": "filter-more" },
                               text("more", { count: found.total - shown })));
      }
      listing.hidden = true;
      results.hidden = false;
      results.setAttribute("data-query", window.location.search);
      var said = text("found", { count: found.total, what: described(wanted) });
      if (unknown.length) {
        said = text("none_has", { found: said, what: described(unknown) });
      }
      countInHeader(said);
      say(found.total > shown ? text("showing_first", { found: said, count: shown })
                              : text("sentence", { found: said }));
    }, function () {
      if (run === generation) {
        say(text("failed"));
      }
    });
  }

  function open() {
    toggle.setAttribute("aria-expanded", "true");
    panel.hidden = false;
    return loadIndex();
  }

  function update() {
    shown = STEP;
    writeAddress();
    return apply();
  }

  toggle.addEventListener("click", function () {
    if (!panel.hidden) {
      toggle.setAttribute("aria-expanded", "false");
      panel.hidden = true;
      return;
    }
    open().then(function () {
      apply();
      fields.querySelector("select").focus();
    }, function () {});
  });
  /* Once a value is picked, before Add: fetch the titles that adding it would show first. */
  form.addEventListener("change", function () {
    if (!index) {
      return;
    }
    var wanted = (fixed.key ? [fixed] : []).concat(chosen);
    index.facets.forEach(function (facet) {
      var key = document.getElementById("filter-" + facet.name).value;
      if (key) {
        wanted.push({ facet: facet.name, key: key });
      }
    });
    var values = wanted.map(valueOf);
    if (values.indexOf(null) < 0) {
      entriesAt(positions(intersect(values), STEP).first).catch(function () {});
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!index) {
      return;
    }
    index.facets.forEach(function (facet) {
      var select = document.getElementById("filter-" + facet.name);
      choose(facet.name, select.value);
    });
    update();
  });
  chips.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-facet]");
    if (button) {
      chosen = chosen.filter(function (choice) {
        return choice.facet !== button.getAttribute("data-facet") ||
               choice.key !== button.getAttribute("data-key");
      });
      update();
      (fields.querySelector("select") || toggle).focus();
    }
  });
  reset.addEventListener("click", function (event) {
    event.preventDefault();
    chosen = [];
    update();
    (fields.querySelector("select") || toggle).focus();
  });
  results.addEventListener("click", function (event) {
    if (event.target.closest(".filter-more")) {
      shown += STEP;
      apply();
    }
  });
  window.addEventListener("popstate", function () {
    readAddress();
    if (index) {
      shown = STEP;
      apply();
    }
  });

  readAddress();
  if (chosen.length) {
    open().then(function () {
      readAddress();                                    // now every facet of the index is known
      writeAddress();                                   // in the form this version writes
      apply();
    }, function () {});
  }
})();
