'use strict';
/**
 * Where the memory of a 100,000-lead Return All goes, outside n8n. Runs under the Node 24 n8n
 * uses, one fresh process per measurement:
 *
 *   node scripts/bench/memory-isolated.js [--count 100000] [--latency 5] [--vendors chatbase,robofy,chatofAi]
 *
 * For each vendor, three fresh processes, each measuring from a GC'd start:
 *   raw       JSON.parse of the 1,000 page texts (read from a file), keeping { json: record }
 *             items: what Split Out holds; the floor for any workflow.
 *   normalize the same, but normalizeLead() from dist/ on each record: the floor for our shape.
 *   ours      collectLeads() from dist/ over HTTP against the simulator (in another process,
 *             --latency ms per request), with the node's default options, then the items.
 * It prints the heap the items retain at the end (after GC), the peak heapUsed and the peak
 * RSS during the run (both minus the start), sampled every 10 ms.
 */
const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist', 'nodes', 'shared');

// ------------------------------------------------------------------------------ child modes

function sampler() {
	const start = () => {
		for (let i = 0; i < 4; i++) global.gc();
		const m = process.memoryUsage();
		return { heap: m.heapUsed, rss: m.rss };
	};
	const base = start();
	const peak = { heap: 0, rss: 0 };
	const sample = () => {
		const m = process.memoryUsage();
		peak.heap = Math.max(peak.heap, m.heapUsed);
		peak.rss = Math.max(peak.rss, m.rss);
	};
	const timer = setInterval(sample, 10);
	return {
		finish(holder) {
			sample();
			clearInterval(timer);
			for (let i = 0; i < 4; i++) global.gc();
			const retained = process.memoryUsage().heapUsed - base.heap;
			const mb = (b) => +(b / 2 ** 20).toFixed(1);
			return { items: holder.length, retainedMb: mb(retained), peakHeapMb: mb(peak.heap - base.heap), peakRssMb: mb(peak.rss - base.rss) };
		},
	};
}

const query = (vendor) => ({ chatbotId: 'bench-bot', params: vendor === 'robofy' ? { projectId: '7' } : {}, timeZone: 'UTC' });

async function childLoop(vendor, mode, pagesFile) {
	const { normalizeLead } = require(path.join(DIST, 'normalize'));
	const { providerByName } = require(path.join(DIST, 'providers'));
	const provider = providerByName(vendor);
	const lines = fs.readFileSync(pagesFile, 'latin1').split('\n').filter(Boolean);
	const s = sampler();
	const items = [];
	for (const line of lines) {
		for (const record of JSON.parse(line)) {
			items.push({ json: mode === 'raw' ? record : normalizeLead(provider, record, query(vendor), false).lead, pairedItem: { item: 0 } });
		}
		await new Promise((resolve) => setTimeout(resolve, 1));
	}
	return s.finish(items);
}

async function childOurs(vendor, baseUrl, key) {
	const { createVendorClient } = require(path.join(DIST, 'transport'));
	const { collectLeads } = require(path.join(DIST, 'leads'));
	const { providerByName } = require(path.join(DIST, 'providers'));
	// The parts of n8n's execute context the collector uses; requests go through fetch.
	const ctx = {
		getCredentials: async () => ({ apiKey: key, baseUrl }),
		getNode: () => ({ name: 'Chatbot Leads', type: 'chatbotLeads', typeVersion: 1, parameters: {} }),
		helpers: {
			async httpRequestWithAuthentication(type, options) {
				const url = new URL(options.url);
				for (const [k, v] of Object.entries(options.qs || {})) url.searchParams.set(k, String(v));
				const res = await fetch(url, { headers: { ...options.headers, authorization: `Bearer ${key}` }, signal: options.abortSignal });
				return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
			},
		},
	};
	const s = sampler();
	const client = await createVendorClient(ctx, providerByName(vendor));
	const leads = await collectLeads(client, query(vendor), { includeRaw: false, paging: { maxPages: 10000, concurrency: 4 } });
	const items = leads.map((lead) => ({ json: lead, pairedItem: { item: 0 } }));
	return s.finish(items);
}

// ------------------------------------------------------------------------------------ parent

function node24() {
	return require('../n8n/lib').paths().node24;
}

function runChild(args) {
	const out = childProcess.execFileSync(node24(), ['--expose-gc', __filename, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
	return JSON.parse(out.trim().split('\n').pop());
}

async function main() {
	const argv = process.argv.slice(2);
	if (argv[0] === '--child') {
		const [, mode, vendor, a, b] = argv;
		const result = mode === 'ours' ? await childOurs(vendor, a, b) : await childLoop(vendor, mode, a);
		console.log(JSON.stringify(result));
		return;
	}
	const opt = (name, fallback) => {
		const i = argv.indexOf(name);
		return i >= 0 ? argv[i + 1] : fallback;
	};
	const count = Number(opt('--count', 100000));
	const latencyMs = Number(opt('--latency', 5));
	const vendors = opt('--vendors', 'chatbase,robofy,chatofAi').split(',');
	const { startBenchSimulator } = require('./sim');
	const sim = await startBenchSimulator();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
	const rows = [];
	try {
		for (const vendor of vendors) {
			sim.reset();
			sim.setOptions('robofy', { pageSize: 100 });
			const projectId = vendor === 'robofy' ? 7 : undefined;
			sim.generateLeads(vendor, 'bench-bot', count, { start: '2026-01-01T00:00:00Z', stepMs: 60000, projectId });
			const records = sim.leads(vendor, 'bench-bot');
			const pagesFile = path.join(tmp, `${vendor}.txt`);
			const pages = [];
			for (let i = 0; i < records.length; i += 100) pages.push(JSON.stringify(records.slice(i, i + 100)));
			fs.writeFileSync(pagesFile, pages.join('\n'));
			// Warm the simulator's page cache, then add the latency.
			const warm = vendor === 'chatbase' ? '/get-leads?chatbotId=bench-bot&page=1&size=100' : vendor === 'chatofAi' ? '/chatbot/bench-bot/leads?page=1&page_size=100' : '/ai-agent/leads/7/bench-bot';
			await (await fetch(`${sim.baseUrls[vendor]}${warm}`, { headers: { authorization: `Bearer ${sim.keys[vendor]}` } })).text();
			sim.setOptions(vendor, { latencyMs });
			// The simulator runs in this process; the measured code in a child.
			const ours = await new Promise((resolve, reject) => {
				const child = childProcess.execFile(
					node24(),
					['--expose-gc', __filename, '--child', 'ours', vendor, sim.baseUrls[vendor], sim.keys[vendor]],
					{ encoding: 'utf8', maxBuffer: 1 << 20 },
					(error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout.trim().split('\n').pop()))),
				);
				child.on('error', reject);
			});
			for (const [mode, result] of [
				['raw', runChild(['raw', vendor, pagesFile])],
				['normalize', runChild(['normalize', vendor, pagesFile])],
				['ours', ours],
			]) {
				rows.push({ vendor, mode, ...result });
				console.log(JSON.stringify({ vendor, mode, ...result }));
			}
		}
	} finally {
		await sim.stop();
		fs.rmSync(tmp, { recursive: true, force: true });
	}
	console.log('\n| vendor | what | items retain (MB) | peak heap − start (MB) | peak RSS − start (MB) | peak RSS ÷ retained |');
	console.log('| --- | --- | --- | --- | --- | --- |');
	for (const r of rows) {
		console.log(`| ${r.vendor} | ${r.mode} | ${r.retainedMb} | ${r.peakHeapMb} | ${r.peakRssMb} | ${(r.peakRssMb / r.retainedMb).toFixed(2)} |`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
