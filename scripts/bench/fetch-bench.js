'use strict';
/**
 * Part 1: Chatbot Leads (Return All) against the HTTP Request node's own pagination, in the same
 * real n8n, against the same simulator, per vendor and size. See run.js for the options.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { executeSampled, nodeTiming } = require('./n8n-run');
const wf = require('./workflows');

const BOT = (vendor, size) => `bench-${vendor}-${size}`;
const shortVendor = { chatbase: 'cb', chatzuri: 'cz', chatofAi: 'co', robofy: 'rf' };

/** The variants run per vendor: ours (per concurrency for Chatof.ai) and DIY. */
function variantsFor(vendor, concurrencies) {
	const list = [];
	if (vendor === 'chatofAi') for (const c of concurrencies) list.push({ kind: 'ours', concurrency: c, label: `ours c=${c}` });
	else list.push({ kind: 'ours', concurrency: undefined, label: 'ours' });
	list.push({ kind: 'diy', label: 'HTTP Request' });
	return list;
}

function workflowId(vendor, size, variant) {
	return `b${shortVendor[vendor]}${size}${variant.kind === 'ours' ? `o${variant.concurrency ?? 'd'}` : 'h'}`.slice(0, 21);
}

/** Every workflow part 1 needs, for import before any run. */
function fetchWorkflows(sim, { sizes, vendors, concurrencies }) {
	const list = [];
	for (const size of sizes) {
		for (const vendor of vendors) {
			for (const variant of variantsFor(vendor, concurrencies)) {
				const id = workflowId(vendor, size, variant);
				list.push(
					variant.kind === 'ours'
						? wf.oursWorkflow(id, vendor, BOT(vendor, size), { concurrency: variant.concurrency })
						: wf.diyWorkflow(id, vendor, sim, BOT(vendor, size)),
				);
			}
		}
	}
	return list;
}

/** One untimed request; retried, since a pooled keep-alive socket may have been closed meanwhile. */
async function warmUp(url, key) {
	for (let attempt = 1; ; attempt++) {
		try {
			const res = await fetch(url, { headers: { authorization: `Bearer ${key}`, connection: 'close' } });
			await res.text();
			return;
		} catch (error) {
			if (attempt >= 3) throw error;
			console.error(`[bench] warm-up request failed (${error.cause ? error.cause.code || error.cause.message : error.message}); retrying`);
		}
	}
}

/** Loads `size` leads per vendor into the simulator (after a reset) and warms its page cache. */
async function loadData(sim, size, vendors, options) {
	sim.reset();
	for (const vendor of vendors) {
		sim.setOptions(vendor, { latencyMs: 0 });
		if (vendor === 'robofy') sim.setOptions('robofy', { pageSize: options.robofyPageSize });
		const projectId = vendor === 'robofy' ? Number(wf.ROBOFY_PROJECT) : undefined;
		sim.addChatbot(vendor, BOT(vendor, size), { projectId });
		if (size > 0) sim.generateLeads(vendor, BOT(vendor, size), size, { start: '2026-01-01T00:00:00Z', stepMs: 60_000, projectId });
		// One request so the page cache holds the sorted list before anything is timed.
		const path =
			vendor === 'chatbase'
				? `/get-leads?chatbotId=${BOT(vendor, size)}&page=1&size=100`
				: vendor === 'chatofAi'
					? `/chatbot/${BOT(vendor, size)}/leads?page=1&page_size=100`
					: `/ai-agent/leads/${wf.ROBOFY_PROJECT}/${BOT(vendor, size)}`;
		await warmUp(`${sim.baseUrls[vendor]}${path}`, sim.keys[vendor]);
		sim.setOptions(vendor, { latencyMs: options.latencyMs });
	}
	sim.clearRequests();
}

/** The fetching nodes' timings of a finished run, checked: it succeeded with `size` items. */
function fetchTimings(run, vendor, size, variant) {
	const nodes = variant.kind === 'ours' ? ['Chatbot Leads'] : ['HTTP Request', 'Split Out'];
	const timings = nodes.map((name) => nodeTiming(run, name));
	const error = run.data && run.data.resultData && run.data.resultData.error;
	if (run.status !== 'success' || error || timings.some((t) => !t)) {
		throw new Error(`${variant.label} ${vendor} ${size}: run status ${run.status}${error ? `: ${error.message}` : ''}`);
	}
	const last = timings[timings.length - 1];
	if (last.items !== size) throw new Error(`${variant.label} ${vendor} ${size}: ${last.items} items, expected ${size}`);
	return { timings, items: last.items, fetchStart: timings[0].startTime, fetchEnd: last.startTime + last.executionTime };
}

const LIVE_HEAP_PROBE = path.join(__dirname, 'live-heap-probe.js');
const LIVE_HEAP_INTERVAL_MS = 1000;

/**
 * The live-heap pass: the same workflow again, with a full GC every second in n8n. Returns the
 * largest live heap (kB) of the n8n main process up to the end of fetching, and the sample count.
 */
async function liveHeapOf(home, id, vendor, size, variant, options) {
	const file = path.join(os.tmpdir(), `n8n-bench-live-${process.pid}-${id}-${Date.now()}.jsonl`);
	const env = {
		...options.n8nEnv,
		NODE_OPTIONS: `--expose-gc --require ${LIVE_HEAP_PROBE}`,
		BENCH_LIVE_HEAP_FILE: file,
		BENCH_LIVE_HEAP_MS: String(LIVE_HEAP_INTERVAL_MS),
	};
	try {
		const result = await executeSampled(home, id, { env, timeoutMs: options.timeoutMs });
		const { fetchEnd } = fetchTimings(result.run, vendor, size, variant);
		const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
		const rows = text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
		const mine = rows.filter((r) => r.pid === result.sampler.root && r.t <= fetchEnd);
		if (mine.length === 0) throw new Error(`live-heap pass of ${id}: no samples (is --expose-gc allowed in NODE_OPTIONS?)`);
		return { liveKb: Math.max(...mine.map((r) => r.liveKb)), liveSamples: mine.length };
	} finally {
		fs.rmSync(file, { force: true });
	}
}

/** One `n8n execute` of one variant, with its metrics. */
async function runOne(sim, home, vendor, size, variant, options) {
	const id = workflowId(vendor, size, variant);
	sim.clearRequests();
	sim.maxInFlight = 0;
	const result = await executeSampled(home, id, { env: options.n8nEnv, timeoutMs: options.timeoutMs });
	const { run, sampler } = result;
	const { timings, items, fetchStart, fetchEnd } = fetchTimings(run, vendor, size, variant);
	const requests = sim.requests.filter((r) => r.vendor === vendor);
	const window = sampler.peak(fetchStart, fetchEnd + 20);
	return {
		vendor,
		size,
		variant: variant.label,
		kind: variant.kind,
		concurrency: variant.concurrency,
		items,
		requests: requests.length,
		requestErrors: requests.filter((r) => r.status !== 200 && r.status !== 202).length,
		maxInFlight: sim.maxInFlight,
		fetchMs: fetchEnd - fetchStart,
		cpuMs: sampler.cpuBetween(fetchStart, fetchEnd),
		nodeMs: timings.map((t) => t.executionTime),
		workflowMs: Date.parse(run.stoppedAt) - Date.parse(run.startedAt),
		processMs: result.durationMs,
		stdoutBytes: result.stdoutBytes,
		rssBeforeKb: (sampler.samples.filter((s) => s.t <= fetchStart).pop() || { tree: 0 }).tree,
		peakFetchKb: window.tree,
		peakProcessKb: sampler.peak().tree,
		hwmMainKb: sampler.hwmMain(),
		exit: result.crashedOnExit ? `crashed on exit (${result.signal}) after printing the run` : result.code,
		...(options.liveHeap ? await liveHeapOf(home, id, vendor, size, variant, options) : {}),
	};
}

async function runFetchBench(sim, home, options, log) {
	const results = [];
	for (const size of options.sizes) {
		log(`loading ${size} leads per vendor into the simulator`);
		await loadData(sim, size, options.vendors, options);
		for (const vendor of options.vendors) {
			for (const variant of variantsFor(vendor, options.concurrencies)) {
				const r = await runOne(sim, home, vendor, size, variant, options);
				results.push(r);
				log(
					`${vendor.padEnd(8)} ${String(size).padStart(6)} ${r.variant.padEnd(12)} ${String(r.requests).padStart(5)} req  ` +
						`${(r.fetchMs / 1000).toFixed(2).padStart(7)} s  cpu ${(r.cpuMs / 1000).toFixed(1)} s  peak ${(r.peakFetchKb / 1024).toFixed(0)} MB (process ${(r.peakProcessKb / 1024).toFixed(0)} MB)  in flight ≤ ${r.maxInFlight}` +
						(r.liveKb === undefined ? '' : `  live heap ${(r.liveKb / 1024).toFixed(0)} MB`),
				);
			}
		}
	}
	return results;
}

module.exports = { runFetchBench, fetchWorkflows, variantsFor, BOT };
