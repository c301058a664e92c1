'use strict';
/**
 * Preloaded into `n8n execute` (NODE_OPTIONS="--expose-gc --require <this file>") for the
 * live-heap pass of the bench. Every BENCH_LIVE_HEAP_MS (default 2000) it runs a full GC and
 * appends { pid, t, liveKb } to BENCH_LIVE_HEAP_FILE: the heap that is still reachable, i.e. what
 * the process needs at that moment, without the garbage V8 has not collected yet. The forced GCs
 * slow the run down and lower its RSS, so this pass is never used for time or RSS figures.
 */
const fs = require('fs');

const file = process.env.BENCH_LIVE_HEAP_FILE;
const intervalMs = Number(process.env.BENCH_LIVE_HEAP_MS) || 2000;

function sample() {
	global.gc();
	const row = { pid: process.pid, t: Date.now(), liveKb: Math.round(process.memoryUsage().heapUsed / 1024) };
	try {
		fs.appendFileSync(file, `${JSON.stringify(row)}\n`);
	} catch {
		/* the bench reads what arrived */
	}
}

if (file && typeof global.gc === 'function') {
	setInterval(sample, intervalMs).unref();
	sample();
}
