'use strict';
/**
 * The reporting every e2e script shares: `ok - name` / `not ok - name: reason` per check, notes as
 * `# [  12s] text`, and a last line `N passed, N failed` (also appended as `N M` to
 * $TEST_SUMMARY_FILE when set, which test/e2e/suite.js and .ci/run add up).
 *
 *   const r = createReport();
 *   await r.check('name', async () => { r.expect(cond, 'why not'); });
 *   process.exitCode = r.summarize() ? 0 : 1;
 */
const fs = require('fs');

function createReport({ t0 = Date.now() } = {}) {
	const results = [];
	let finished = false; // set once the summary is printed: later reports (after a signal) are dropped

	const elapsed = () => ((Date.now() - t0) / 1000).toFixed(0).padStart(4);
	const note = (msg) => console.log(`# [${elapsed()}s] ${msg}`);

	function report(name, error) {
		if (finished) return;
		results.push({ name, ok: !error, error: error ? String((error && error.message) || error) : undefined });
		if (!error) console.log(`ok - ${name}`);
		else console.log(`not ok - ${name}: ${String((error && error.message) || error).split('\n').join('\n    ')}`);
	}

	/** Runs one named check; a thrown error (or a failed expectation) fails it. Returns its value. */
	async function check(name, fn) {
		try {
			const value = await fn();
			report(name);
			return value;
		} catch (error) {
			report(name, error);
			return undefined;
		}
	}

	function expect(condition, message) {
		if (!condition) throw new Error(message);
	}

	/** Prints `N passed, N failed` once; true when every check passed (and there was one). */
	function summarize() {
		if (finished) return false;
		finished = true;
		const passed = results.filter((r) => r.ok).length;
		const failed = results.length - passed;
		note(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
		console.log(`${passed} passed, ${failed} failed`);
		if (process.env.TEST_SUMMARY_FILE) fs.appendFileSync(process.env.TEST_SUMMARY_FILE, `${passed} ${failed}\n`);
		return failed === 0 && passed > 0;
	}

	return { note, report, check, expect, summarize, results, isFinished: () => finished };
}

module.exports = { createReport };
