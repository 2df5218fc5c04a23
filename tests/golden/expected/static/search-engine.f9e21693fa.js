/* The search page's engine over sitegen's own index (searchindex/, written by
   site_builder/outputs/searchindex.py, whose docstring gives the format): no WebAssembly and no
   workers, since scoring every posting of a query word over 10,000 entries takes milliseconds.

   - start: reads index.json (the only file fetched with cache "no-cache": it names every other
     file, and those are content-addressed, so the HTTP cache may keep them).
   - search: each query word fetches the words chunk whose range holds it (and at most two more
     when the word is the prefix of the next chunks' first forms); every chunk fetched stays in a
     Map for the page's life, so typing "negotia", "negotiat", "negotiati" fetches one chunk.
     Results: the docs matching every word (a form equal to the word counts in full, a form
     starting with it half), narrowed by the year (a range of doc numbers), tag and country
     (facet postings), ordered by best match (sum over words of ln(1 + N/df) * weight, ties
     newest first), newest or oldest first. The first PAGE results' fragments are fetched. A
     newer search makes an older one stop at its next await: its answer says {stale: true}.
   - more: the next PAGE results' fragments.
   - filters: every tag, country and year with its number of entries (fetches the facets, which
     searches then use for the counts among their results).
   - indexChanged: whether the site's index.json now names another numbering or other chunks
     than the index this engine searches (the site was deployed or rebuilt since).

   fold() and words() are the word rules the index was written with (site_builder's Python
   makes the same words of the same text; tests/test_searchwords.py runs both).
*/
const PAGE = 10;
const PREFIX_CHUNKS = 3;         // chunks fetched at most for one query word
const PREFIX_FACTOR = 0.5;       // a form that only starts with the query word counts half
const EXCERPT_WORDS = 26;
const EXCERPT_BEFORE = 4;        // words shown before the first found one

// ---- Words: the same rules as the index's -----------------------------------------------------

// Han, Hiragana, Katakana and Hangul (syllables and jamo), by block: the same ranges as
// site_builder/outputs/searchwords.py's CJK_RANGES.
const CJK_RANGES = "\u1100-\u11ff\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b" +
  "\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3131-\u318e\u31f0-\u31ff" +
  "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff" +
  "\uf900-\ufaff\uff66-\uff9f\u{20000}-\u{3ffff}";
const CJK = new RegExp("^[" + CJK_RANGES + "]$", "u");
// A CJK character alone, or a run of letters and digits that are not CJK.
const WORD = new RegExp("[" + CJK_RANGES + "]|(?:(?![" + CJK_RANGES + "])[\\p{L}\\p{N}])+", "gu");

// The text without accents and other combining marks (NFKD, marks dropped, NFC again, which
// puts Hangul syllables back together), in lower case.
export function fold(text) {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").normalize("NFC").toLowerCase();
}

// The folded text's words: a CJK character alone, or a maximal run of other letters and digits.
export function words(text) {
  return fold(text).match(WORD) || [];
}

// The words of a query that are searched: a one-character word only if it is a CJK character.
export function queryWords(query) {
  const kept = words(query).filter((word) => [...word].length > 1 || CJK.test(word));
  return [...new Set(kept)];
}

// ---- Reading the index ------------------------------------------------------------------------

async function fetchJson(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) {
    throw new Error(url.slice(url.lastIndexOf("/") + 1) + " " + response.status);
  }
  return response.json();
}

// The positions in index.words of the chunks a query word needs: the last chunk whose first
// form sorts at or before the word (the index orders forms as JavaScript compares strings, by
// UTF-16 code units), then the next ones whose first form starts with it.
export function chunksFor(chunkList, word) {
  let low = 0;
  let high = chunkList.length;         // the first chunk whose first form sorts after word
  while (low < high) {
    const middle = (low + high) >> 1;
    if (chunkList[middle][0] <= word) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  const chosen = low > 0 ? [low - 1] : [];
  for (let n = low; n < chunkList.length && chosen.length < PREFIX_CHUNKS; n++) {
    if (!chunkList[n][0].startsWith(word)) {
      break;
    }
    chosen.push(n);
  }
  return chosen;
}

// A group's postings decoded once: doc numbers and weights (each value is delta * 8 + weight).
const decodedGroups = new WeakMap();
function postings(group) {
  let decoded = decodedGroups.get(group);
  if (!decoded) {
    const docs = new Int32Array(group.docs.length);
    const weights = new Uint8Array(group.docs.length);
    let doc = 0;
    group.docs.forEach((value, n) => {
      doc += Math.floor(value / 8);
      docs[n] = doc;
      weights[n] = value % 8;
    });
    decoded = {docs, weights};
    decodedGroups.set(group, decoded);
  }
  return decoded;
}

// A facet value's doc numbers, from their deltas.
function facetDocs(deltas) {
  const docs = new Int32Array(deltas.length);
  let doc = 0;
  deltas.forEach((delta, n) => { docs[n] = doc += delta; });
  return docs;
}

// One query word over its chunks: {weights: Float32Array(docs) of each doc's best weight (0:
// not matched), df: docs matched, forms: every form of the matched groups (found in a text)}.
function matchWord(chunks, word, docCount) {
  const best = new Map();              // group key -> {group, factor}
  const forms = new Set();
  for (const chunk of chunks) {
    for (const [form, numbers] of Object.entries(chunk.forms)) {
      const factor = form === word ? 1 : form.startsWith(word) ? PREFIX_FACTOR : 0;
      if (!factor) {
        continue;
      }
      for (const number of numbers) {
        const group = chunk.groups[number];
        // A group whose forms span chunks is written into each: the same group, once.
        const key = group.words.join(" ") + "\n" + group.docs.length + "\n" + group.docs[0];
        const known = best.get(key);
        if (!known || known.factor < factor) {
          best.set(key, {group, factor});
        }
      }
    }
  }
  const weights = new Float32Array(docCount);
  let df = 0;
  for (const {group, factor} of best.values()) {
    group.words.forEach((form) => forms.add(form));     // every form of the stem is found
    const {docs, weights: own} = postings(group);
    for (let n = 0; n < docs.length; n++) {
      const doc = docs[n];
      if (doc >= docCount) {
        continue;
      }
      const weight = own[n] * factor;
      if (weights[doc] === 0) {
        df++;
      }
      if (weight > weights[doc]) {
        weights[doc] = weight;
      }
    }
  }
  return {weights, df, forms};
}

const escapeHtml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;")
  .replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

// EXCERPT_WORDS words of text from just before the first found one, found words in <mark>,
// HTML-escaped. A word is found if one of its words is a found form or starts with a query word.
export function excerpt(text, forms, query) {
  const tokens = (text || "").split(/\s+/).filter(Boolean);
  const found = (token) => words(token).some((word) => forms.has(word)
    || query.some((wanted) => word.startsWith(wanted)));
  const marked = tokens.map(found);
  const first = marked.indexOf(true);
  const start = Math.max(0, Math.min(first < 0 ? 0 : first - EXCERPT_BEFORE,
                                     tokens.length - EXCERPT_WORDS));
  return tokens.slice(start, start + EXCERPT_WORDS).map((token, n) => (marked[start + n]
    ? "<mark>" + escapeHtml(token) + "</mark>" : escapeHtml(token))).join(" ");
}

// ---- The engine -------------------------------------------------------------------------------

// createEngine() -> {start, search, more, filters, indexChanged, stop}: each returns a promise.
export function createEngine() {
  let bundle = "";
  let base = "/";
  let index = null;              // index.json as read at start
  let latest = 0;                // id of the newest search asked for
  let current = null;            // {id, docs: ordered doc numbers, forms, query} of that search
  const chunks = new Map();      // file -> promise of a words chunk, for the page's life
  const fragments = new Map();   // doc number -> promise of its fragment
  let facets = null;             // promise of {tag: Map(value -> docs), country: ...}

  const indexUrl = () => bundle + "index.json";
  const fingerprint = (root) => JSON.stringify([root.epoch, root.words.map((chunk) => chunk[1]),
                                                root.facets]);

  function chunk(file) {
    if (!chunks.has(file)) {
      const loading = fetchJson(bundle + file);
      loading.catch(() => chunks.delete(file));        // a failed fetch is tried again later
      chunks.set(file, loading);
    }
    return chunks.get(file);
  }

  function loadFacets() {
    if (!facets) {
      const names = Object.keys(index.facets);
      facets = Promise.all(names.map((name) => fetchJson(bundle + index.facets[name])))
        .then((files) => Object.fromEntries(files.map((file, n) => [names[n], new Map(
          Object.entries(file.values).map(([value, deltas]) => [value, facetDocs(deltas)]))])));
      facets.catch(() => { facets = null; });
    }
    return facets;
  }

  function fragment(doc) {
    if (!fragments.has(doc)) {
      const loading = fetchJson(bundle + index.epoch + "/" + doc + ".json");
      loading.catch(() => fragments.delete(doc));
      fragments.set(doc, loading);
    }
    return fragments.get(doc);
  }

  function address(url) {
    return /^([a-z]+:|\/)/i.test(url) ? url : base + url;
  }

  async function items(search, docs) {
    return Promise.all(docs.map(async (doc) => {
      const data = await fragment(doc);
      return {doc, url: address(data.url), title: data.title || data.url, date: data.date || "",
              event: data.event || "", source: data.source || "",
              excerpt: excerpt(data.text, search.forms, search.query)};
    }));
  }

  async function start(args) {
    bundle = args.bundle;
    base = args.base || "/";
    index = await fetchJson(indexUrl(), {cache: "no-cache"});
    if (index.format !== 1) {
      throw new Error("search index format " + index.format);
    }
    return {pages: index.docs, chunks: index.words.length};
  }

  // Whether each doc passes the filters: a Uint8Array(docs), or null if none is set.
  async function allowed(filters) {
    const docCount = index.docs;
    let passing = null;
    const narrow = (docs) => {
      const next = new Uint8Array(docCount);
      for (const doc of docs) {
        if (doc < docCount && (!passing || passing[doc])) {
          next[doc] = 1;
        }
      }
      passing = next;
    };
    if (filters.year) {
      const [first, last] = index.years[filters.year] || [0, -1];
      narrow(Array.from({length: Math.max(0, last - first + 1)}, (_, n) => first + n));
    }
    for (const name of ["tag", "country"]) {
      if (filters[name]) {
        const values = (await loadFacets())[name];
        narrow((values && values.get(filters[name])) || []);
      }
    }
    return passing;
  }

  // Each tag, country and year with its number of docs among found (all docs if null).
  function countAmong(found, loaded) {
    const counts = {year: {}};
    for (const [year, [first, last]] of Object.entries(index.years)) {
      let count = 0;
      for (let doc = first; doc <= last; doc++) {
        count += found ? found[doc] : 1;
      }
      counts.year[year] = count;
    }
    for (const [name, values] of Object.entries(loaded)) {
      counts[name] = {};
      for (const [value, docs] of values) {
        let count = 0;
        if (found) {
          for (const doc of docs) {
            count += found[doc] || 0;
          }
        } else {
          count = docs.length;
        }
        counts[name][value] = count;
      }
    }
    return counts;
  }

  async function search({id, query, filters = {}, sort = ""}) {
    latest = Math.max(latest, id);
    const stale = () => id !== latest;
    const began = performance.now();
    const wanted = queryWords(query || "");
    const filtering = ["tag", "country", "year"].some((name) => filters[name]);
    if (!wanted.length && !filtering) {
      return {id, empty: true, total: 0, items: [], counts: {}};
    }
    const docCount = index.docs;
    const loaded = await Promise.all(wanted.map((word) => Promise.all(
      chunksFor(index.words, word).map((n) => chunk(index.words[n][1])))));
    const passing = await allowed(filters);
    if (stale()) {
      return {id, stale: true};
    }
    const fetched = performance.now();
    const matches = wanted.map((word, n) => matchWord(loaded[n], word, docCount));
    const scores = new Float64Array(docCount);
    const found = new Uint8Array(docCount);
    const docs = [];
    for (let doc = 0; doc < docCount; doc++) {
      if (passing && !passing[doc]) {
        continue;
      }
      let score = 0;
      let all = true;
      for (const {weights, df} of matches) {
        if (weights[doc] === 0) {
          all = false;
          break;
        }
        score += Math.log(1 + docCount / df) * weights[doc];
      }
      if (all) {
        scores[doc] = score;
        found[doc] = 1;
        docs.push(doc);
      }
    }
    if (sort === "oldest") {
      // docs are in ascending order already
    } else if (sort === "newest" || !wanted.length) {
      docs.reverse();
    } else {
      docs.sort((a, b) => scores[b] - scores[a] || b - a);
    }
    const forms = new Set(matches.flatMap((match) => [...match.forms]));
    const searched = performance.now();
    current = {id, docs, forms, query: wanted};
    const counts = facets ? countAmong(found, await loadFacets()) : {};
    const first = await items(current, docs.slice(0, PAGE));
    if (stale()) {
      return {id, stale: true};
    }
    return {id, total: docs.length, items: first, counts,
            timings: {index: fetched - began, search: searched - fetched,   // ms, for benchmarks
                      fragments: performance.now() - searched}};
  }

  async function more({id, offset}) {
    if (!current || current.id !== id) {
      return {id, stale: true};
    }
    return {id, offset, items: await items(current, current.docs.slice(offset, offset + PAGE))};
  }

  async function filters() {
    return countAmong(null, await loadFacets());
  }

  async function indexChanged() {
    return fingerprint(await fetchJson(indexUrl(), {cache: "no-cache"})) !== fingerprint(index);
  }

  let started = null;
  const ready = () => {
    if (!started) {
      throw new Error("start first");
    }
    return started;
  };
  const after = (method) => async (args) => { await ready(); return method(args); };
  return {
    start: (args) => (started = started || start(args)),
    search: after(search),
    more: after(more),
    filters: after(filters),
    indexChanged: after(indexChanged),
    stop: () => { latest = Infinity; },
    cachedChunks: () => [...chunks.keys()],           // for tests: the chunk files fetched
  };
}
