'use strict';
/**
 * Benchmark: Chatbot Leads / Chatbot Leads Trigger against the do-it-yourself n8n workflows, in
 * a real n8n (scripts/n8n), against the vendor simulator (test/simulator) with a per-request
 * latency. Not part of CI. `npm run bench` builds first; run directly with:
 *
 *   node scripts/bench/run.js [--sizes 1000,10000,100000] [--latency 100]
 *        [--vendors chatbase,robofy,chatofAi] [--concurrency 1,4,10] [--robofy-page-size 100]
 *        [--skip-fetch] [--skip-trigger] [--no-live-heap] [--json results.json] [--keep]
 *        [--n8n-node-options "<NODE_OPTIONS for n8n, for diagnosis>"]
 *   (--json: a relative path is written under $CHATBOT_LEADS_BENCH_DIR, default
 *   <os temp dir>/chatbot-leads-bench, outside the repository; see scripts/bench/output.js)
 *
 * Part 1 (fetch): for each size and vendor, `n8n execute` of
 *   (a) Manual Trigger -> Chatbot Leads (Return All)        [Chatof.ai: per --concurrency]
 *   (b) Manual Trigger -> HTTP Request 4.2 (its pagination) -> Split Out
 * printing requests (simulator log), time, peak RSS of the n8n process tree, and ours/theirs.
 * Then each workflow runs once more with a full GC every second (live-heap-probe.js) for the
 * heap it really needs; that pass gives no time or RSS figures (--no-live-heap skips it).
 * Part 2 (trigger): our trigger (n8n start per poll) against Remove Duplicates-based DIY polls
 * (n8n execute per poll) over a scripted sequence with ties and late arrivals.
 * See BENCHMARKS.md for the method and the results.
 */
const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const n8n = require('../n8n/lib');
const { startBenchSimulator, selfCheck } = require('./sim');
const { runFetchBench, fetchWorkflows } = require('./fetch-bench');
const wf = require('./workflows');
const report = require('./report');
const { benchOutputPath } = require('./output');

const ROOT = path.resolve(__dirname, '..', '..');

function parseArgs(argv) {
	const options = {
		sizes: [1000, 10000, 100000],
		latencyMs: 100,
		vendors: ['chatbase', 'robofy', 'chatofAi'],
		concurrencies: [1, 4, 10],
		robofyPageSize: 100,
		fetch: true,
		trigger: true,
		liveHeap: true,
		json: undefined,
		keep: false,
		timeoutMs: 15 * 60 * 1000,
	};
	const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s);
		const value = () => (inline !== undefined ? inline : argv[++i]);
		if (flag === '--sizes') options.sizes = list(value()).map(Number);
		else if (flag === '--latency') options.latencyMs = Number(value());
		else if (flag === '--vendors') options.vendors = list(value());
		else if (flag === '--concurrency') options.concurrencies = list(value()).map(Number);
		else if (flag === '--robofy-page-size') options.robofyPageSize = Number(value());
		else if (flag === '--skip-fetch') options.fetch = false;
		else if (flag === '--skip-trigger') options.trigger = false;
		else if (flag === '--no-live-heap') options.liveHeap = false;
		else if (flag === '--n8n-node-options') options.n8nNodeOptions = value();
		else if (flag === '--json') options.json = benchOutputPath(value());
		else if (flag === '--keep') options.keep = true;
		else if (flag === '--help' || flag === '-h') options.help = true;
		else throw new Error(`unknown argument ${argv[i]}`);
	}
	if (options.sizes.some((n) => !Number.isInteger(n) || n < 0)) throw new Error('--sizes: integers >= 0');
	if (!(options.latencyMs >= 0)) throw new Error('--latency: a number of ms >= 0');
	for (const v of options.vendors) if (!['chatbase', 'robofy', 'chatofAi', 'chatzuri'].includes(v)) throw new Error(`--vendors: unknown ${v}`);
	if (options.concurrencies.some((c) => !Number.isInteger(c) || c < 1 || c > 10)) throw new Error('--concurrency: 1..10');
	// Size 0 is the memory baseline (the same workflows fetching nothing).
	if (!options.sizes.includes(0)) options.sizes = [0, ...options.sizes];
	return options;
}

function machine() {
	const p = n8n.paths();
	const cpus = os.cpus();
	let n8nVersion = p.version;
	try {
		n8nVersion = JSON.parse(fs.readFileSync(path.join(p.installDir, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	} catch {
		/* keep the configured one */
	}
	const node24 = childProcess.execFileSync(p.node24, ['--version'], { encoding: 'utf8' }).trim();
	return {
		nproc: os.cpus().length,
		cpu: cpus[0] ? cpus[0].model : 'unknown',
		memGb: +(os.totalmem() / 2 ** 30).toFixed(1),
		os: `${os.type()} ${os.release()}`,
		loadavg: os.loadavg().map((x) => +x.toFixed(2)),
		benchNode: process.version,
		n8nNode: node24,
		n8n: n8nVersion,
	};
}

function itemSizes(vendors, count) {
	const p = n8n.paths();
	const out = {};
	for (const vendor of vendors) {
		const text = childProcess.execFileSync(p.node24, ['--expose-gc', path.join(__dirname, 'item-size.js'), vendor, String(count)], {
			encoding: 'utf8',
			maxBuffer: 1 << 20,
		});
		out[vendor] = JSON.parse(text.trim().split('\n').pop());
	}
	return out;
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (options.help) {
		const text = fs.readFileSync(__filename, 'utf8');
		console.log(text.slice(text.indexOf('/**'), text.indexOf('*/') + 2));
		return;
	}
	const t0 = Date.now();
	const log = (msg) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
	n8n.ensureInstalled({ quiet: true });
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'ChatbotLeads', 'ChatbotLeads.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` (or `npm run bench`) first');
	}
	const info = machine();
	log(`machine: ${JSON.stringify(info)}`);
	log(`options: ${JSON.stringify({ ...options, timeoutMs: undefined })}`);

	await selfCheck();
	log('BenchSimulator answers exactly like test/simulator (self-check passed)');
	const sim = await startBenchSimulator();
	const home = n8n.createN8nHome('n8n-bench-');
	// Executions are not saved (the run is read from `n8n execute --rawOutput`): n8n would
	// otherwise serialize 100,000 items into SQLite after the run. See BENCHMARKS.md.
	options.n8nEnv = {
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		NODE_OPTIONS: options.n8nNodeOptions,
	};
	const results = { machine: info, options: { ...options, n8nEnv: options.n8nEnv, timeoutMs: undefined }, startedAt: new Date().toISOString() };
	try {
		const tgz = await n8n.packPackage(ROOT);
		const installed = await n8n.installPackedPackage(home, tgz);
		log(`installed ${installed.name}@${installed.version} in ${home} (as n8n's Community Nodes install does)`);
		await n8n.importCredentials(home, wf.credentials(sim), { env: options.n8nEnv });

		if (options.fetch) {
			const workflows = fetchWorkflows(sim, options);
			await n8n.importWorkflow(home, workflows, { env: options.n8nEnv });
			log(`imported ${workflows.length} workflows; part 1: fetch (latency ${options.latencyMs} ms per request)`);
			results.fetch = await runFetchBench(sim, home, options, log);
			const maxSize = Math.max(...options.sizes);
			if (maxSize > 0) results.itemSizes = itemSizes(options.vendors, maxSize);
		}
		if (options.trigger) {
			const { runTriggerBench } = require('./trigger-bench');
			log('part 2: polling (our trigger vs Remove Duplicates DIY)');
			results.trigger = await runTriggerBench(sim, home, options, log);
		}
		results.finishedAt = new Date().toISOString();
		results.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
		results.totalSeconds = Math.round((Date.now() - t0) / 1000);
		console.log('');
		console.log(report.render(results));
		if (options.json) {
			fs.writeFileSync(options.json, JSON.stringify(results, null, 2));
			log(`results written to ${options.json}`);
		}
	} finally {
		await sim.stop();
		n8n.killAll();
		if (options.keep) log(`kept n8n home ${home}`);
		else n8n.removeN8nHome(home);
	}
}

main().catch((error) => {
	console.error(`[bench] FAILED: ${error && error.stack ? error.stack : error}`);
	process.exitCode = 1;
});
