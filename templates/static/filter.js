/* Tag filter for the home and tag timelines: progressive enhancement, no dependencies.
 *
 * Without JavaScript the form stays hidden and every entry is reachable through the tag and
 * archive pages. With it, the form appears; choosing tags loads the site's compact index
 * (filter.json: tags as [slug, name, url], entries as [date, title, url, tag numbers] and the
 * words of an event date that is not a plain day, URLs relative to the index) once, and shows every entry that has all the chosen tags, across all
 * pages of the listing. The choice lives in the address as ?tags=a,b so it can be shared.
 */
(function () {
  "use strict";
  var mount = document.getElementById("tag-filter");
  var listing = document.getElementById("listing");
  if (!mount || !listing || !window.fetch || !mount.getAttribute("data-index")) {
    return;
  }
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];
  var STEP = 50;                                        // entries shown per "Show more"
  var indexUrl = new URL(mount.getAttribute("data-index"), window.location.href);
  var pageTag = mount.getAttribute("data-tag") || "";   // a tag page's own tag (slug)
  var selected = [];                                    // slugs chosen, besides pageTag
  var shown = STEP;
  var loading = null;
  var index = null;                                     // {tags, entries, bySlug, byName}
  // bySlug and byName are Maps: a tag may be called "__proto__" or "toString", and so may
  // whatever a reader types or puts in the address.

  function el(name, attrs, text) {
    var node = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /* The form exists only with JavaScript, so pages without it carry none of its markup. */
  var form = el("form", { "class": "tag-filter", "aria-label": "Filter the timeline by tag" });
  form.appendChild(el("label", { "for": "tag-filter-input" },
                      pageTag ? "Narrow to entries also tagged" : "Filter by tag"));
  var row = el("div", { "class": "tag-filter-row" });
  var input = el("input", { id: "tag-filter-input", type: "text", list: "tag-filter-names",
                            autocomplete: "off", spellcheck: "false", placeholder: "Tag name" });
  var names = el("datalist", { id: "tag-filter-names" });
  row.appendChild(input);
  row.appendChild(names);
  row.appendChild(el("button", { type: "submit" }, "Add"));
  form.appendChild(row);
  var chips = el("ul", { "class": "chips", id: "tag-filter-chips", "aria-label": "Chosen tags" });
  var clear = el("button", { type: "button", "class": "filter-clear", id: "tag-filter-clear" },
                 "Clear tags");
  var status = el("p", { "class": "filter-status", id: "tag-filter-status", role: "status" });
  chips.hidden = clear.hidden = true;
  form.appendChild(chips);
  form.appendChild(clear);
  form.appendChild(status);
  mount.appendChild(form);
  var results = el("div", { id: "filter-results" });
  results.hidden = true;
  listing.parentNode.insertBefore(results, listing);

  function resolve(url) {
    return new URL(url, indexUrl).href;
  }

  function loadIndex() {
    if (!loading) {
      loading = fetch(indexUrl.href, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      }).then(function (data) {
        var bySlug = new Map(), byName = new Map();
        data.tags.forEach(function (tag, number) {
          bySlug.set(tag[0], number);
          byName.set(tag[1].toLowerCase(), number);
          names.appendChild(el("option", { value: tag[1] }));
        });
        index = { tags: data.tags, entries: data.entries, bySlug: bySlug, byName: byName };
        return index;
      });
      loading.catch(function () {
        loading = null;
        say("The tag filter could not load its index; the tag pages list every entry.");
      });
    }
    return loading;
  }

  function say(text) {
    status.textContent = text;
  }

  function readAddress() {
    var value = new URLSearchParams(window.location.search).get("tags") || "";
    selected = [];
    value.split(",").forEach(function (slug) {
      slug = slug.trim();
      if (slug && slug !== pageTag && selected.indexOf(slug) < 0) {
        selected.push(slug);
      }
    });
  }

  function writeAddress() {
    var url = new URL(window.location.href);
    url.search = selected.length ? "?tags=" + selected.map(encodeURIComponent).join(",") : "";
    if (url.href !== window.location.href) {
      window.history.pushState(null, "", url.href);
    }
  }

  function tagName(slug) {
    return index && index.bySlug.has(slug) ? index.tags[index.bySlug.get(slug)][1] : slug;
  }

  function drawChips() {
    chips.textContent = "";
    selected.forEach(function (slug) {
      var item = el("li");
      var button = el("button", { type: "button", "class": "chip", "data-slug": slug,
                                  "aria-label": "Remove tag " + tagName(slug) });
      button.appendChild(el("span", {}, tagName(slug)));
      button.appendChild(el("span", { "aria-hidden": "true", "class": "chip-x" }, "×"));
      item.appendChild(button);
      chips.appendChild(item);
    });
    chips.hidden = clear.hidden = selected.length === 0;
  }

  function shortDate(iso) {
    return Number(iso.slice(8)) + " " + MONTHS[Number(iso.slice(5, 7)) - 1].slice(0, 3);
  }

  /* An item as the page's own timeline writes it (templates/_macros.html), with its tags. */
  function entryItem(entry) {
    var item = el("li");
    item.appendChild(el("time", { datetime: entry[0] }, entry[4] || shortDate(entry[0])));
    item.appendChild(document.createTextNode(" "));
    item.appendChild(el("a", { href: resolve(entry[2]) }, entry[1]));
    if (entry[3].length) {
      var meta = el("p", { "class": "tl-meta" });
      entry[3].forEach(function (number, position) {
        var tag = index.tags[number];
        if (position) meta.appendChild(document.createTextNode(" "));
        meta.appendChild(el("a", { href: resolve(tag[2]) }, tag[1]));
      });
      item.appendChild(meta);
    }
    return item;
  }

  /* Entries grouped under year and month headings, as the page's own timeline shows them. */
  function timeline(entries) {
    var root = el("div", { "class": "timeline" });
    var year = null, month = null, list = null, section = null;
    entries.forEach(function (entry) {
      var y = entry[0].slice(0, 4), m = entry[0].slice(0, 7);
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
                            MONTHS[Number(m.slice(5)) - 1] + " " + y));
        list = el("ol", { "class": "tl-list" });
        part.appendChild(list);
        section.appendChild(part);
      }
      list.appendChild(entryItem(entry));
    });
    return root;
  }

  function quoted(slugs) {
    var words = slugs.map(function (slug) { return "“" + tagName(slug) + "”"; });
    return words.length > 1 ? words.slice(0, -1).join(", ") + " and " + words[words.length - 1]
                            : words[0];
  }

  function apply() {
    drawChips();
    if (!selected.length) {
      listing.hidden = false;
      results.hidden = true;
      results.textContent = "";
      say("");
      return;
    }
    loadIndex().then(function () {
      var wanted = (pageTag ? [pageTag] : []).concat(selected);
      var unknown = wanted.filter(function (slug) { return !index.bySlug.has(slug); });
      var numbers = wanted.map(function (slug) { return index.bySlug.get(slug); });
      var matches = unknown.length ? [] : index.entries.filter(function (entry) {
        return numbers.every(function (n) { return entry[3].indexOf(n) >= 0; });
      });
      drawChips();
      results.textContent = "";
      results.appendChild(timeline(matches.slice(0, shown)));
      if (matches.length > shown) {
        results.appendChild(el("button", { type: "button", "class": "filter-more" },
                               "Show more (" + (matches.length - shown) + " left)"));
      }
      listing.hidden = true;
      results.hidden = false;
      say(matches.length + (matches.length === 1 ? " entry" : " entries") + " tagged " +
          quoted(wanted) + (unknown.length ? " (no such tag: " + unknown.join(", ") + ")" : "") +
          (matches.length > shown ? "; showing the first " + shown + "." : "."));
    }, function () { /* loadIndex has said why */ });
  }

  function addFromInput() {
    var text = input.value.trim().toLowerCase();
    if (!text) {
      return;
    }
    loadIndex().then(function () {
      var number = index.byName.has(text) ? index.byName.get(text) : index.bySlug.get(text);
      if (number === undefined) {
        say("No tag is called “" + input.value.trim() + "”.");
        return;
      }
      var slug = index.tags[number][0];
      input.value = "";
      if (slug !== pageTag && selected.indexOf(slug) < 0) {
        selected.push(slug);
        shown = STEP;
        writeAddress();
      }
      apply();
    }, function () {});
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    addFromInput();
  });
  input.addEventListener("focus", function () { loadIndex().catch(function () {}); });
  input.addEventListener("input", function (event) {
    var picked = !event.inputType || event.inputType === "insertReplacementText";
    if (picked && index && index.byName.has(input.value.trim().toLowerCase())) {
      addFromInput();                                   // picked from the suggestions
    }
  });
  chips.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-slug]");
    if (button) {
      selected = selected.filter(function (slug) { return slug !== button.getAttribute("data-slug"); });
      shown = STEP;
      writeAddress();
      apply();
      input.focus();
    }
  });
  clear.addEventListener("click", function () {
    selected = [];
    writeAddress();
    apply();
    input.focus();
  });
  results.addEventListener("click", function (event) {
    if (event.target.closest(".filter-more")) {
      shown += STEP;
      apply();
    }
  });
  window.addEventListener("popstate", function () {
    readAddress();
    shown = STEP;
    apply();
  });

  readAddress();
  if (selected.length) {
    apply();
  }
})();
