/* The search page's engine: Pagefind's JS API over the index shards that site_builder/search.py
   writes (pagefind/shards.json lists them, oldest first).

   Why shards: Pagefind 1.5 scores each matching page against every matching (page, word) pair
   of its index, so a word that most of 10,000 pages contain takes 300-650 ms in one index;
   over 20 shards of 500 pages the same search takes 50-100 ms of one core in all.

   Why a pool: that time is spread over Web Workers, as many as the device warrants
   (deviceParts: one per core, at most MAX_PARTS, one on a small phone). Each
   worker runs an engine over its part of the shards (shard n goes to part n % parts); the pool
   on the page asks every part and merges the answers, so a search costs the slowest part, not
   the sum. Where module workers are missing, one engine runs on the page itself.

   - search: each engine searches its shards (same filters and sort), orders its hits (by score
     for best match; for a date order by shard, shards never overlap in dates) and loads the
     fragments (title, date, URL, excerpt) of its first PAGE hits only. The pool merges the
     hits in the same order: the first PAGE overall are among the engines' first PAGE each,
     so the first results need no second round. A newer search makes an older one stop between
     shards.
   - more: the next PAGE hits' fragments, each from the engine that found it.
   - filters: every tag, country and year with its number of entries.

   search.js uses createPool(); each worker runs this same file and answers handle() messages.
*/
const PAGE = 10;
const MAX_PARTS = 4;
const SMALL_MEMORY_GB = 2;
const MID_MEMORY_GB = 4;
const YIELD_MS = 2;              // let a newer message in at least this often during a search

// ---- One engine: Pagefind over some of the shards --------------------------------------------

let shards = null;               // [{number, pagefind}] of this engine, oldest first
let latest = 0;                  // id of the newest search asked for
let current = null;              // {id, found: Map(shard number -> Pagefind results)}

// Every shard's bundle has the same wasm.*.pagefind file (one Pagefind run made them all): a
// page downloads it once. A worker asks the page for it (askPage); the page fetches it once
// per pool (pageFile) and hands the same bytes to every worker of the pool.
const realFetch = globalThis.fetch.bind(globalThis);
const WASM_FILE = /^wasm\.[\w-]+\.pagefind$/;
const fileName = (url) => url.slice(url.lastIndexOf("/") + 1).split("?")[0];
function pageFile(pageFiles, url) {   // pageFiles: a pool's file name -> promise of its bytes
  const name = fileName(url);
  if (!pageFiles.has(name)) {
    pageFiles.set(name, realFetch(url).then((response) => {
      if (!response.ok) {
        throw new Error(name + " " + response.status);
      }
      return response.arrayBuffer();
    }));
  }
  return pageFiles.get(name);
}
const asked = new Map();         // in a worker: file name -> {promise, resolve, reject}
function askPage(url) {
  const name = fileName(url);
  if (!asked.has(name)) {
    const request = {};
    request.promise = new Promise((resolve, reject) => Object.assign(request, {resolve, reject}));
    asked.set(name, request);
    self.postMessage({file: url});
  }
  return asked.get(name).promise.then((bytes) => new Response(bytes));
}
function answerFile({file, bytes, error}) {
  const request = asked.get(fileName(file));
  error ? request.reject(new Error(error)) : request.resolve(bytes);
}
function sharedFetch(input, init) {
  const url = String(input instanceof Request ? input.url : input);
  return WASM_FILE.test(fileName(url)) ? askPage(url) : realFetch(input, init);
}

// A macrotask break without setTimeout's 4 ms clamp, so a waiting message can run.
const channel = new MessageChannel();
const breaks = [];
channel.port1.onmessage = () => breaks.shift()();
function pause() {
  return new Promise((resolve) => { breaks.push(resolve); channel.port2.postMessage(null); });
}

async function start({manifest, bundle, base, part = 0, parts = 1, inWorker = false}) {
  const began = performance.now();
  if (inWorker) {
    globalThis.fetch = sharedFetch;
  }
  const mine = manifest.shards.map((shard, number) => ({number, path: shard.path}))
    .filter(({number}) => number % parts === part);
  if (!mine.length) {
    shards = [];
    return {};
  }
  // Every shard's pagefind.js is the same file: each engine imports the first shard's, so the
  // browser downloads it once.
  const pagefind = await import(bundle + manifest.shards[0].path + "pagefind.js");
  const options = (shard) => ({basePath: bundle + shard.path, baseUrl: base, noWorker: true,
                               metaCacheTag: shard.path, excerptLength: 26});
  if (typeof pagefind.createInstance !== "function") {   // Pagefind before 1.5: one shard only
    await pagefind.options(options(mine[0]));
    await pagefind.init();
    shards = [{number: mine[0].number, pagefind}];
    return {};
  }
  // The shards share one WebAssembly module; two instances loading it at once would each make
  // one, and the first one's index would then point into the second one's memory. So the first
  // instance loads it alone (an empty search waits for that), then the rest reuse it.
  const imported = performance.now();
  const first = pagefind.createInstance(options(mine[0]));
  await first.search("");
  const firstDone = performance.now();
  const rest = mine.slice(1).map((shard) => pagefind.createInstance(options(shard)));
  await Promise.all(rest.map((instance) => instance.search("")));
  shards = [first, ...rest].map((instance, n) => ({number: mine[n].number, pagefind: instance}));
  return {timings: {imported: imported - began, first: firstDone - imported,   // ms, for benchmarks
                    rest: performance.now() - firstDone}};
}

// once(run): {start(args), ready()}: start runs `run` the first time only and returns its
// promise; ready() returns that promise, and throws before start. Engines and pools start so.
function once(run) {
  let started = null;
  return {
    start: (args) => (started = started || run(args)),
    ready: () => {
      if (!started) {
        throw new Error("start first");
      }
      return started;
    },
  };
}

const thisEngine = once(start);   // the engine of this worker (or page)

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

function addCounts(into, counts) {
  for (const [name, values] of Object.entries(counts || {})) {
    const target = into[name] || (into[name] = {});
    for (const [value, count] of Object.entries(values)) {
      target[value] = (target[value] || 0) + count;
    }
  }
  return into;
}

// The order of hits, each {shard, pos, score}: by score (ties in shard order), or by date, which
// is shard order (newest shard first for "desc") and Pagefind's order within a shard.
function hitOrder(dateOrder) {
  if (dateOrder === "desc") {
    return (a, b) => b.shard - a.shard || a.pos - b.pos;
  }
  if (dateOrder === "asc") {
    return (a, b) => a.shard - b.shard || a.pos - b.pos;
  }
  return (a, b) => b.score - a.score || a.shard - b.shard || a.pos - b.pos;
}

const EXCERPT_WORDS = 26;
const WORD_BREAK = /[\r\n\s]+/g;         // how Pagefind splits a fragment's content into words
const escapeHtml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;")
  .replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

// A result's excerpt from its text after the date, dateline and title, which the result shows
// above it (an entry's indexed content starts with them): EXCERPT_WORDS words from just before
// the first found word past them, found words in <mark> as in Pagefind's own excerpt (which
// would often start with the title). Pagefind's excerpt where the title is not near the start.
function bodyExcerpt(data) {
  const content = data.content || "";
  const title = ((data.meta && data.meta.title) || "").trim();
  const shown = [escapeHtml(title), title].find((text) => text && content.indexOf(text) >= 0);
  const at = shown ? content.indexOf(shown) : -1;
  if (at < 0 || at > 400) {
    return data.excerpt || "";
  }
  const words = content.split(WORD_BREAK);
  const headerEnd = content.slice(0, at + shown.length).split(WORD_BREAK).length;
  const found = new Set((data.locations || []).filter((n) => n >= headerEnd));
  const first = Math.min(...found, words.length);
  let start = Math.max(headerEnd, first - 4);
  start = Math.max(headerEnd, Math.min(start, words.length - EXCERPT_WORDS));
  return words.slice(start, start + EXCERPT_WORDS)
    .map((word, n) => (found.has(start + n) ? "<mark>" + word + "</mark>" : word)).join(" ");
}

async function loadItems(refs) {
  return Promise.all(refs.map(async ({shard, pos, score}) => {
    const data = await current.found.get(shard)[pos].data();
    const meta = data.meta || {};
    return {shard, pos, score, url: data.url, title: meta.title || data.url, date: meta.date || "",
            event: meta.event || "", source: meta.source || "", excerpt: bodyExcerpt(data)};
  }));
}

async function search({id, query, filters, sort}) {
  latest = Math.max(latest, id);
  await thisEngine.ready();
  const term = terms(query || "");
  const options = searchOptions({filters, sort}, term);
  if (!term && !Object.keys(options.filters).length) {
    return {id, empty: true};
  }
  const stale = () => id !== latest;
  const began = performance.now();
  // Fetch every shard's chunks at once; then search shard by shard, making way for a newer
  // search between shards.
  await Promise.all(shards.map(({pagefind}) => pagefind.preload(term || null, options)));
  if (stale()) {
    return {id, stale: true};
  }
  const loaded = performance.now();
  const found = new Map();
  let counts = {};
  let since = performance.now();
  for (const {number, pagefind} of shards) {
    const answer = await pagefind.search(term || null, options);
    found.set(number, answer.results);
    counts = addCounts(counts, answer.filters);
    if (performance.now() - since > YIELD_MS) {
      await pause();
      since = performance.now();
      if (stale()) {
        return {id, stale: true};
      }
    }
  }
  const dateOrder = options.sort ? options.sort.date : null;
  const hits = [];
  for (const [shard, results] of found) {
    results.forEach((result, pos) => hits.push({shard, pos, score: result.score}));
  }
  const searched = performance.now();
  await pause();                            // a newer search waiting? then no fragments for this one
  if (stale()) {
    return {id, stale: true};
  }
  current = {id, found};
  const items = await loadItems(hits.slice().sort(hitOrder(dateOrder)).slice(0, PAGE));
  if (stale()) {
    return {id, stale: true};
  }
  return {id, dateOrder, hits, items, counts,
          timings: {index: loaded - began, search: searched - loaded,      // ms, for benchmarks
                    fragments: performance.now() - searched}};
}

async function more({id, refs}) {
  if (!current || current.id !== id) {
    return {id, stale: true};
  }
  return {id, items: await loadItems(refs)};
}

async function filters() {
  await thisEngine.ready();
  const all = await Promise.all(shards.map(({pagefind}) => pagefind.filters()));
  return all.reduce(addCounts, {});
}

const methods = {
  start: thisEngine.start,
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
  self.addEventListener("message", async (event) => {
    if (event.data.file) {
      answerFile(event.data);             // bytes the page fetched for this worker
    } else {
      self.postMessage(await handle(event.data));
    }
  });
}

// ---- The pool, on the page: the engines and the merging of their answers ---------------------

// Whether `new Worker(url, {type: "module"})` is understood (it reads `type` only if so).
function moduleWorkers() {
  let supported = false;
  try {
    new Worker("blob://", {get type() { supported = true; return "module"; }}).terminate();
  } catch (error) {
    // the blob:// URL itself is refused; `type` has been read by then where supported
  }
  return supported;
}

// An engine in a worker running this file: call(method, args) resolves with its answer.
function workerEngine(pageFiles) {
  const worker = new Worker(import.meta.url, {type: "module"});
  const waiting = new Map();
  let next = 0;
  worker.addEventListener("message", ({data}) => {
    if (data.file) {                      // the worker wants a file the page fetches once
      pageFile(pageFiles, data.file).then((bytes) => worker.postMessage({file: data.file, bytes}),
                               (error) => worker.postMessage({file: data.file, error: String(error)}));
      return;
    }
    const handlers = waiting.get(data.id);
    waiting.delete(data.id);
    if (handlers) {
      data.error ? handlers.reject(new Error(data.error)) : handlers.resolve(data.result);
    }
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    for (const handlers of waiting.values()) {
      handlers.reject(new Error("the search engine did not load"));
    }
    waiting.clear();
  });
  return {
    call: (method, args) => new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, {resolve, reject});
      worker.postMessage({id, method, args});
    }),
    stop: () => worker.terminate(),
  };
}

// The engine of this module, on the page.
const pageEngine = {
  call: async (method, args) => {
    const reply = await handle({id: 0, method, args});
    if (reply.error) {
      throw new Error(reply.error);
    }
    return reply.result;
  },
  stop: () => {},
};

// How many workers this device warrants: one per core up to MAX_PARTS, but one where the
// browser reports SMALL_MEMORY_GB or less (a small phone: each worker holds its own copy of the
// wasm and of the index chunks it has loaded) and at most two up to MID_MEMORY_GB.
function deviceParts() {
  const cores = navigator.hardwareConcurrency || 2;
  const memory = navigator.deviceMemory || Infinity;   // GB, rounded; not every browser says
  const byMemory = memory <= SMALL_MEMORY_GB ? 1 : memory <= MID_MEMORY_GB ? 2 : MAX_PARTS;
  return Math.max(1, Math.min(MAX_PARTS, cores, byMemory));
}

// createPool({parts}) -> {start, search, more, filters, indexChanged, stop}: promises of the
// same answers as one engine over every shard would give. parts: how many workers at most (default: deviceParts()).
export function createPool({parts} = {}) {
  let engines = null;
  let merged = null;             // {id, hits: [{shard, pos, score}] in order}: the last search
  let index = null;              // {bundle, shards: "path path ..."}: the index searched

  async function readManifest(bundle) {
    const response = await fetch(bundle + "shards.json", {cache: "no-cache"});
    if (!response.ok) {
      throw new Error("no search index (" + response.status + ")");
    }
    return response.json();
  }
  const shardList = (manifest) => manifest.shards.map((shard) => shard.path).join(" ");

  async function poolStart({bundle, base}) {
    const manifest = await readManifest(bundle);
    index = {bundle, shards: shardList(manifest)};
    const count = Math.max(1, Math.min(parts || deviceParts(), manifest.shards.length));
    const pageFiles = new Map();
    engines = moduleWorkers() ? Array.from({length: count}, () => workerEngine(pageFiles))
      : [pageEngine];
    const inWorker = engines[0] !== pageEngine;
    const answers = await Promise.all(engines.map((engine, part) =>
      engine.call("start", {manifest, bundle, base, part, parts: engines.length, inWorker})));
    return {pages: manifest.pages, shards: manifest.shards.length, parts: engines.length,
            timings: answers.map((answer) => answer.timings)};
  }

  // Whether the site's shards.json now lists other shards than this pool searches (the site
  // was deployed again: Pagefind finds nothing in index files that are gone).
  async function poolIndexChanged() {
    return shardList(await readManifest(index.bundle)) !== index.shards;
  }

  async function poolSearch(args) {
    const answers = await Promise.all(engines.map((engine) => engine.call("search", args)));
    if (answers.some((answer) => answer.stale)) {
      return {id: args.id, stale: true};
    }
    if (answers[0].empty) {
      return {id: args.id, total: 0, items: [], counts: {}, empty: true};
    }
    const order = hitOrder(answers[0].dateOrder);
    const hits = answers.flatMap((answer) => answer.hits).sort(order);
    const items = answers.flatMap((answer) => answer.items).sort(order).slice(0, PAGE);
    merged = {id: args.id, hits};
    return {id: args.id, total: hits.length, items,
            counts: answers.reduce((into, answer) => addCounts(into, answer.counts), {}),
            timings: answers.map((answer) => answer.timings)};
  }

  async function poolMore({id, offset}) {
    if (!merged || merged.id !== id) {
      return {id, stale: true};
    }
    const wanted = merged.hits.slice(offset, offset + PAGE);
    const answers = await Promise.all(engines.map((engine, part) => {
      const refs = wanted.filter((hit) => hit.shard % engines.length === part);
      return refs.length ? engine.call("more", {id, refs}) : {id, items: []};
    }));
    if (answers.some((answer) => answer.stale)) {
      return {id, stale: true};
    }
    const items = new Map(answers.flatMap((answer) => answer.items)
      .map((item) => [item.shard + ":" + item.pos, item]));
    return {id, offset, items: wanted.map((hit) => items.get(hit.shard + ":" + hit.pos))};
  }

  async function poolFilters() {
    const all = await Promise.all(engines.map((engine) => engine.call("filters", {})));
    return all.reduce(addCounts, {});
  }

  const pool = once(poolStart);
  return {
    start: pool.start,
    search: async (args) => { await pool.ready(); return poolSearch(args); },
    more: async (args) => { await pool.ready(); return poolMore(args); },
    filters: async () => { await pool.ready(); return poolFilters(); },
    indexChanged: async () => { await pool.ready(); return poolIndexChanged(); },
    stop: () => engines && engines.forEach((engine) => engine.stop()),
  };
}
