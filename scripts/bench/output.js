'use strict';
/**
 * Where the benchmarks write their raw results (`--json <file>`): outside the repository, so that
 * thousands of lines of JSON are not committed by accident (BENCHMARKS.md carries the figures).
 * A relative path goes under $CHATBOT_LEADS_BENCH_DIR, by default <os temp dir>/chatbot-leads-bench;
 * an absolute path is kept as given.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

function benchOutputDir() {
	return path.resolve(process.env.CHATBOT_LEADS_BENCH_DIR || path.join(os.tmpdir(), 'chatbot-leads-bench'));
}

/** The absolute path for `--json <file>`, its folder created. */
function benchOutputPath(file) {
	const target = path.isAbsolute(file) ? file : path.join(benchOutputDir(), file);
	fs.mkdirSync(path.dirname(target), { recursive: true });
	return target;
}

module.exports = { benchOutputDir, benchOutputPath };
