'use strict';
/**
 * Diagnosis only, not part of `npm run bench`'s figures: preloaded into n8n, it records V8's heap
 * spaces, RSS and array-buffer memory every 20 ms, and every GC (kind: 1 minor, 4 major), as
 * JSON lines in BENCH_HEAP_SPACES_DIR/heap-spaces-<pid>.jsonl. Used for BENCHMARKS.md's "Why RSS
 * is higher" with:
 *
 *   node scripts/bench/run.js --sizes 100000 --vendors chatbase --skip-trigger --no-live-heap \
 *     --latency 20 --n8n-node-options "--require $PWD/scripts/bench/heap-spaces-probe.js"
 */
const fs = require('fs');
const v8 = require('v8');
const { PerformanceObserver } = require('perf_hooks');

const file = `${process.env.BENCH_HEAP_SPACES_DIR || require('os').tmpdir()}/heap-spaces-${process.pid}.jsonl`;
const rows = [];
const mb = (bytes) => +(bytes / 2 ** 20).toFixed(1);

function flush() {
	if (rows.length === 0) return;
	try {
		fs.appendFileSync(file, `${rows.splice(0).map((row) => JSON.stringify(row)).join('\n')}\n`);
	} catch {
		/* diagnosis only */
	}
}

setInterval(() => {
	const m = process.memoryUsage();
	const spaces = {};
	for (const s of v8.getHeapSpaceStatistics()) if (s.space_size > 0) spaces[s.space_name] = [mb(s.space_size), mb(s.space_used_size)];
	rows.push({ t: Date.now(), rss: mb(m.rss), heapUsed: mb(m.heapUsed), arrayBuffers: mb(m.arrayBuffers), spaces });
	if (rows.length >= 50) flush();
}, 20).unref();
new PerformanceObserver((list) => {
	for (const e of list.getEntries()) rows.push({ t: Date.now(), gc: e.detail ? e.detail.kind : e.kind, ms: +e.duration.toFixed(1) });
}).observe({ entryTypes: ['gc'] });
process.on('exit', flush);
