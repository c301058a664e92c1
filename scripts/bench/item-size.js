'use strict';
/**
 * How much V8 heap N output items themselves need: run under the same Node as n8n (24) with
 * --expose-gc, prints JSON { vendor, count, oursBytes, diyBytes }.
 *
 *   node --expose-gc scripts/bench/item-size.js <vendor> <count>
 *
 * Method: the simulator generates the same leads the benchmark fetches; they are turned into
 * JSON text per page of 100 (what arrives over HTTP) and parsed again, so strings are fresh as
 * in n8n. With the heap measured after a full GC:
 *   oursBytes = heap retained by [{ json: normalizeLead(...).lead, pairedItem: { item: 0 } }, ...]
 *               built with this package's own dist/ code (what Chatbot Leads returns);
 *   diyBytes  = heap retained by [{ json: record, pairedItem: { item: 0 } }, ...] (what Split Out
 *               returns: the vendor's records as parsed).
 * Each is (heap after the items were built and everything else dropped) minus (heap before
 * the pages were parsed).
 */
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const { createSimulator } = require(path.join(root, 'test', 'simulator', 'simulator'));
const { normalizeLead } = require(path.join(root, 'dist', 'nodes', 'shared', 'normalize'));
const { providerByName } = require(path.join(root, 'dist', 'nodes', 'shared', 'providers'));

if (typeof global.gc !== 'function') {
	console.error('run with node --expose-gc');
	process.exit(2);
}

function heap() {
	for (let i = 0; i < 4; i++) global.gc();
	return process.memoryUsage().heapUsed;
}

function pagesOf(vendor, count) {
	const sim = createSimulator();
	sim.generateLeads(vendor, 'bench-bot', count, { start: '2026-01-01T00:00:00Z', stepMs: 60000, projectId: vendor === 'robofy' ? 7 : undefined });
	const records = sim.leads(vendor, 'bench-bot');
	const pages = [];
	for (let i = 0; i < records.length; i += 100) pages.push(JSON.stringify(records.slice(i, i + 100)));
	return pages;
}

/** Keeps the items reachable while the heap is measured. */
const holder = { items: null };

function measure(pages, build) {
	const before = heap();
	holder.items = [];
	for (const text of pages) {
		for (const record of JSON.parse(text)) holder.items.push(build(record));
	}
	const after = heap();
	holder.items = null;
	return after - before;
}

const [vendor = 'chatbase', countText = '100000'] = process.argv.slice(2);
const count = Number(countText);
const provider = providerByName(vendor);
const query = { chatbotId: 'bench-bot', params: vendor === 'robofy' ? { projectId: '7' } : {}, timeZone: undefined };
let pages = pagesOf(vendor, count);
const pageBytes = pages.reduce((n, p) => n + p.length, 0);
// Keep only the JSON text alive across both measurements (it is in both baselines).
const oursBytes = measure(pages, (record) => ({ json: normalizeLead(provider, record, query, false).lead, pairedItem: { item: 0 } }));
const diyBytes = measure(pages, (record) => ({ json: record, pairedItem: { item: 0 } }));
pages = null;
console.log(JSON.stringify({ vendor, count, oursBytes, diyBytes, jsonTextBytes: pageBytes, node: process.version }));
