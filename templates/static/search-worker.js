/* The search page's engine: Pagefind's JS API over the index shards that site_builder/search.py
   writes (pagefind/shards.json lists them, oldest first), run in a module Web Worker so typing
   never waits for it. search.js talks to it with messages {id, method, args} and gets
   {id, result} or {id, error} back; where module workers are missing, search.js imports this
   file and calls handle() on the page itself.

   Why shards: Pagefind 1.5 scores each matching page against every matching (page, word) pair
   of its index, so a word that most of 10,000 pages contain takes 300-650 ms in one index;
   over 20 shards of 500 pages the same search takes 50-100 ms in all.

   - search: every shard is searched (with the same filters and sort), then merged: by score
     for best match, by shard order for a date order (shards never overlap in dates). Only the
     first PAGE results' fragments are loaded (their title, date, URL and excerpt); the rest wait
     for "more". A newer search makes an older one stop between shards.
   - filters: every tag and year with its number of entries.
*/
const PAGE = 10;
const YIELD_MS = 8;              // let a newer message in at least this often during a search

let shards = null;               // Pagefind instances [{search, preload, filters}], oldest first
let starting = null;             // the promise of start()
let latest = 0;                  // id of the newest search asked for
let current = null;              // {id, ordered: [result]} of the last search answered

// Every shard's bundle has the same wasm.*.pagefind file (one Pagefind run made them all):
// fetch it once, not once per shard.
const realFetch = globalThis.fetch.bind(globalThis);
const wasmFiles = new Map();
function sharedFetch(input, init) {
  const url = String(input instanceof Request ? input.url : input);
  const name = url.slice(url.lastIndexOf("/") + 1).split("?")[0];
  if (!/^wasm\.[\w-]+\.pagefind$/.test(name)) {
    return realFetch(input, init);
  }
  if (!wasmFiles.has(name)) {
    wasmFiles.set(name, realFetch(input, init));
  }
  return wasmFiles.get(name).then((response) => response.clone());
}

// A macrotask break without setTimeout's 4 ms clamp, so a waiting message can run.
const channel = new MessageChannel();
const breaks = [];
channel.port1.onmessage = () => breaks.shift()();
function pause() {
  return new Promise((resolve) => { breaks.push(resolve); channel.port2.postMessage(null); });
}

async function start({bundle, base, inWorker}) {
  const began = performance.now();
  if (inWorker) {
    globalThis.fetch = sharedFetch;
  }
  const response = await realFetch(bundle + "shards.json", {cache: "no-cache"});
  if (!response.ok) {
    throw new Error("no search index (" + response.status + ")");
  }
  const manifest = await response.json();
  const all = manifest.shards;
  const pagefind = await import(bundle + all[0].path + "pagefind.js");
  const options = (shard) => ({basePath: bundle + shard.path, baseUrl: base, noWorker: true,
                               metaCacheTag: manifest.build, excerptLength: 26});
  if (typeof pagefind.createInstance !== "function") {   // Pagefind before 1.5: one shard only
    await pagefind.options(options(all[0]));
    await pagefind.init();
    shards = [pagefind];
    return {pages: manifest.pages, shards: 1};
  }
  // The shards share one WebAssembly module; two instances loading it at once would each make
  // one, and the first one's index would then point into the second one's memory. So the first
  // instance loads it alone (an empty search waits for that), then the rest reuse it.
  const imported = performance.now();
  const first = pagefind.createInstance(options(all[0]));
  await first.search("");
  const firstDone = performance.now();
  const rest = all.slice(1).map((shard) => pagefind.createInstance(options(shard)));
  await Promise.all(rest.map((shard) => shard.search("")));
  shards = [first, ...rest];
  return {pages: manifest.pages, shards: all.length,   // timings: ms, for benchmarks
          timings: {imported: imported - began, first: firstDone - imported,
                    rest: performance.now() - firstDone}};
}

function ready() {
  if (!starting) {
    throw new Error("start first");
  }
  return starting;
}

// Pagefind treats each word as a prefix: a one-letter word would match most of the index and
// take seconds while adding nothing, so such words are left out.
function terms(query) {
  return query.split(/\s+/).filter((word) => word.length > 1).join(" ");
}

function searchOptions({filters, sort}, term) {
  const options = {filters: {}};
  for (const [name, value] of Object.entries(filters || {})) {
    if (value) {
      options.filters[name] = value;
    }
  }
  if (sort === "newest" || sort === "oldest") {
    options.sort = {date: sort === "newest" ? "desc" : "asc"};
  } else if (!term) {
    options.sort = {date: "desc"};          // filters alone: newest first
  }
  return options;
}

function hasFilters(options) {
  return Object.keys(options.filters).length > 0;
}

function addCounts(into, counts) {
  for (const [name, values] of Object.entries(counts || {})) {
    const target = into[name] || (into[name] = {});
    for (const [value, count] of Object.entries(values)) {
      target[value] = (target[value] || 0) + count;
    }
  }
  return into;
}

function item(data) {
  return {url: data.url, title: (data.meta && data.meta.title) || data.url,
          date: (data.meta && data.meta.date) || "", excerpt: data.excerpt || ""};
}

async function load(results) {
  return (await Promise.all(results.map((result) => result.data()))).map(item);
}

async function search({id, query, filters, sort}) {
  latest = Math.max(latest, id);
  await ready();
  const term = terms(query || "");
  const options = searchOptions({filters, sort}, term);
  if (!term && !hasFilters(options)) {
    return {id, total: 0, items: [], counts: {}, empty: true};
  }
  const stale = () => id !== latest;
  const began = performance.now();
  // Fetch every shard's chunks at once; then search shard by shard, making way for a newer
  // search between shards.
  await Promise.all(shards.map((shard) => shard.preload(term || null, options)));
  if (stale()) {
    return {id, stale: true};
  }
  const loaded = performance.now();
  const found = [];
  let since = performance.now();
  for (const shard of shards) {
    found.push(await shard.search(term || null, options));
    if (performance.now() - since > YIELD_MS) {
      await pause();
      since = performance.now();
      if (stale()) {
        return {id, stale: true};
      }
    }
  }
  let ordered;
  if (options.sort) {                       // shards are in date order, oldest first
    const inOrder = options.sort.date === "asc" ? found : found.slice().reverse();
    ordered = inOrder.flatMap((answer) => answer.results);
  } else {
    ordered = found.flatMap((answer) => answer.results).sort((a, b) => b.score - a.score);
  }
  const counts = found.reduce((into, answer) => addCounts(into, answer.filters), {});
  const searched = performance.now();
  const items = await load(ordered.slice(0, PAGE));
  if (stale()) {
    return {id, stale: true};
  }
  current = {id, ordered};
  const timings = {index: loaded - began, search: searched - loaded,     // ms, for benchmarks
                   fragments: performance.now() - searched};
  return {id, total: ordered.length, items, counts, timings};
}

async function more({id, offset}) {
  if (!current || current.id !== id) {
    return {id, stale: true};
  }
  const items = await load(current.ordered.slice(offset, offset + PAGE));
  return {id, offset, items};
}

async function filters() {
  await ready();
  const all = await Promise.all(shards.map((shard) => shard.filters()));
  return all.reduce(addCounts, {});
}

const methods = {
  start: (args) => (starting = starting || start(args)),
  search, more, filters,
};

export async function handle(message) {
  const {id, method, args} = message;
  try {
    return {id, result: await methods[method](args)};
  } catch (error) {
    return {id, error: String((error && error.message) || error)};
  }
}

if (typeof window === "undefined" && typeof self !== "undefined") {
  self.addEventListener("message", async (event) => self.postMessage(await handle(event.data)));
}
