#!/usr/bin/env node
'use strict';
/**
 * Runs one e2e suite of test/e2e/suites.js: its scripts at the same time, each as a child
 * process with its own summary file. Their lines are passed through as they come (a script's own
 * `N passed, N failed` becomes a `# <name>: ...` note); at the end it prints the sum as
 * `N passed, N failed`, appends `N M` to $TEST_SUMMARY_FILE when set, and exits 0 only if every
 * script passed. A script that ends without a summary counts as one failed check.
 *
 *   node test/e2e/suite.js e2e [--jobs=N]      (E2E_JOBS=N: at most N scripts at once)
 */
const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const SUITES = require('./suites');

const t0 = Date.now();
const note = (msg) => console.log(`# [${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}`);

function runScript(entry, tmpDir, index) {
	const summaryFile = path.join(tmpDir, `summary-${index}.txt`);
	const child = childProcess.spawn(process.execPath, [path.join(__dirname, entry.script), ...(entry.args || [])], {
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, TEST_SUMMARY_FILE: summaryFile },
	});
	const started = Date.now();
	const forward = (stream, out) => {
		let buffer = '';
		stream.setEncoding('utf8').on('data', (chunk) => {
			buffer += chunk;
			let nl;
			while ((nl = buffer.indexOf('\n')) >= 0) {
				const line = buffer.slice(0, nl);
				buffer = buffer.slice(nl + 1);
				out.write(/^\d+ passed, \d+ failed$/.test(line) ? `# ${entry.name}: ${line}\n` : `${line}\n`);
			}
		});
		stream.on('end', () => buffer && out.write(`${buffer}\n`));
	};
	forward(child.stdout, process.stdout);
	forward(child.stderr, process.stderr);
	return {
		child,
		done: new Promise((resolve) =>
			child.once('close', (code, signal) => {
				let passed = 0;
				let failed = 0;
				let found = false;
				if (fs.existsSync(summaryFile)) {
					for (const line of fs.readFileSync(summaryFile, 'utf8').split('\n')) {
						const m = /^(\d+) (\d+)$/.exec(line.trim());
						if (!m) continue;
						found = true;
						passed += Number(m[1]);
						failed += Number(m[2]);
					}
				}
				if (!found || (code !== 0 && failed === 0)) failed += 1; // ended without (a failing) summary
				resolve({ entry, code, signal, passed, failed, seconds: Math.round((Date.now() - started) / 1000) });
			}),
		),
	};
}

async function main() {
	const name = process.argv[2];
	const suite = SUITES[name];
	if (!suite) {
		console.error(`usage: node test/e2e/suite.js <${Object.keys(SUITES).join('|')}> [--jobs=N]`);
		process.exit(2);
	}
	const jobsArg = process.argv.find((a) => a.startsWith('--jobs='));
	const jobs = Math.max(1, Number(jobsArg ? jobsArg.slice(7) : process.env.E2E_JOBS) || suite.length);
	const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-e2e-suite-'));
	const running = new Set();
	let stopping = false;
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(signal, () => {
			stopping = true;
			for (const child of running) child.kill(signal); // each script cleans up its own processes
		});
	}

	note(`suite ${name}: ${suite.map((e) => e.name).join(', ')} (${Math.min(jobs, suite.length)} at a time)`);
	const results = [];
	const queue = suite.map((entry, i) => ({ entry, i }));
	const worker = async () => {
		while (queue.length && !stopping) {
			const { entry, i } = queue.shift();
			note(`starting ${entry.name}: node test/e2e/${entry.script} ${(entry.args || []).join(' ')}`.trim());
			const run = runScript(entry, tmpDir, i);
			running.add(run.child);
			const result = await run.done;
			running.delete(run.child);
			note(`${entry.name}: ${result.passed} passed, ${result.failed} failed, exit ${result.code ?? result.signal}, ${result.seconds} s`);
			results.push(result);
		}
	};
	await Promise.all(Array.from({ length: Math.min(jobs, suite.length) }, worker));
	fs.rmSync(tmpDir, { recursive: true, force: true });

	const passed = results.reduce((sum, x) => sum + x.passed, 0);
	let failed = results.reduce((sum, x) => sum + x.failed, 0);
	if (results.length < suite.length) failed += suite.length - results.length; // interrupted before they ran
	note(`suite ${name} took ${Math.round((Date.now() - t0) / 1000)} s`);
	console.log(`${passed} passed, ${failed} failed`);
	if (process.env.TEST_SUMMARY_FILE) fs.appendFileSync(process.env.TEST_SUMMARY_FILE, `${passed} ${failed}\n`);
	process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

main();
