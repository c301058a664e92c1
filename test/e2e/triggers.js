#!/usr/bin/env node
'use strict';
/**
 * Exactly once in every way n8n runs a polling trigger (issue 11): the Chatbot Leads Trigger in
 * real n8n instances, one per engine (scripts/n8n/engines.js), all engines at the same time.
 *
 *   node test/e2e/triggers.js --engines=default,scheduler-cursors,queue    (build first)
 *   E2E_KEEP=1  keeps the n8n homes;  E2E_ECHO=1  copies n8n's output to stderr
 *   E2E_RESULTS_FILE=x.json  writes the engine x chatbot figures as JSON
 *
 * Per engine: its own vendor simulator (and a second one whose Robofy clock writes zone-less
 * times 8 hours behind UTC, issue 12), 30 leads over the last 90 minutes on every watched chatbot,
 * five active trigger workflows polling every minute (Chatbase, Chatzuri, Chatof.ai, Robofy,
 * Robofy UTC-8 with the default Time Zone option), then, new leads in each phase:
 *   gap     3 leads right after the activation poll, before the first scheduled poll
 *   ties    2 leads with one timestamp
 *   late    1 lead with the ties' timestamp (already emitted, inside the look-back) + 1 newer
 *   stopped 1 lead added while main is stopped cleanly (SIGTERM), then a start
 *   kill    2 leads, then `kill -9` of main (and its task runners) while the polls that fetch
 *           them are in flight (the simulator holds the answers 25 s), then a start; up to 3
 *           rounds, until every chatbot's poll was in flight at a kill (the kill moment is
 *           planned from the second at which each workflow polls)
 * In queue mode the worker keeps running through every restart, and every trigger execution
 * must have run on it. At the end each new lead must have been emitted exactly once, and no
 * pre-activation lead at all. A repeat after the kill -9 is counted apart and tolerated only
 * where n8n has no atomic cursor + execution save (every engine but durable cursors).
 * Prints the table engine x chatbot -> new / emitted / lost / duplicated, and the usual
 * `ok - ...` lines and `N passed, N failed`. About 9-12 minutes, whatever the number of engines.
 *
 * The scenario lives in triggers/ (common.js: settings and helpers; engineRun.js: one engine's
 * run; checks.js: its checks and kill rounds).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const n8n = require('../../scripts/n8n/lib');
const { ENGINES } = require('../../scripts/n8n/engines');
const s = require('./support');

const { KEEP, r, parseEngines } = require('./triggers/common');
const { EngineRun } = require('./triggers/engineRun');

// --------------------------------------------------------------------------- the table

function printTable(allRows) {
	const header = ['engine', 'chatbot', 'new leads', 'emitted', 'lost', 'duplicated', 'kill -9 repeats', 'old leads emitted'];
	const lines = allRows.map((x) => [
		x.engine,
		x.chatbot,
		String(x.newLeads),
		String(x.emitted),
		x.lost ? `${x.lost} (${Object.entries(x.lostByPhase).map(([p, c]) => `${p} ${c}`).join(', ')})` : '0',
		String(x.duplicated),
		`${x.killRepeats}${x.inFlightAtKill ? '' : ' (not in flight)'}`,
		String(x.unexpected),
	]);
	s.printTable(header, lines);
}

// ---------------------------------------------------------------------------------- main

async function main() {
	const names = parseEngines(process.argv.slice(2));
	const runs = [];
	let tmp;
	s.installCleanup(async (signal) => {
		r.report('the run was not interrupted', new Error(signal));
		r.summarize();
		await cleanUp(runs, tmp);
	});
	try {
		r.note(`engines: ${names.join(', ')}`);
		await r.check(`n8n ${[...new Set(names.map((n) => ENGINES[n].version))].join(' and ')} installed (cache reused when present)`, async () => {
			for (const version of new Set(names.map((n) => ENGINES[n].version))) {
				const started = Date.now();
				n8n.ensureInstalled({ quiet: false, version });
				r.note(`n8n ${version} ready in ${Date.now() - started} ms`);
			}
		});
		r.expect(fs.existsSync(path.join(s.REPO, 'dist', 'nodes', 'ChatbotLeadsTrigger', 'ChatbotLeadsTrigger.node.js')), 'dist/ is missing: run npm run build first');
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-e2e-triggers-'));
		const tgz = await n8n.packPackage(s.REPO, tmp);
		r.note(`packed ${path.basename(tgz)}`);

		// Durable-scheduler engines tick at different seconds, so their starts do not coincide.
		const seconds = [20, 50, 35, 5, 45];
		names.forEach((name, i) => runs.push(new EngineRun(name, seconds[i % seconds.length])));
		await Promise.all(
			runs.map(async (run, i) => {
				await s.sleep(i * 5000); // spread the CPU-heavy n8n CLI runs a little
				try {
					await run.run(tgz);
				} catch (error) {
					r.report(`${run.tag} the scenario ran to its end`, error);
				}
			}),
		);

		const table = [];
		for (const run of runs) {
			if (!run.engine) continue;
			const { rows, failures } = await run.tally();
			table.push(...rows);
			await run.check('every trigger execution succeeded', () => r.expect(failures.length === 0, failures.join('; ')));
			for (const x of rows) {
				const allowRepeat = !run.profile.atomicCursorSave;
				await run.check(`${x.chatbot}: each of ${x.newLeads} new leads emitted exactly once, no pre-activation lead`, () => {
					r.expect(x.lost === 0, `${x.lost} lost (${JSON.stringify(x.lostByPhase)})`);
					r.expect(x.duplicated === 0, `${x.duplicated} emitted more than once outside the kill -9`);
					r.expect(x.unexpected === 0, `${x.unexpected} pre-activation (or unknown) leads emitted`);
					r.expect(
						x.killRepeats === 0 || allowRepeat,
						`${x.killRepeats} repeated after the kill -9 although ${run.name} saves the cursor with the execution atomically`,
					);
					r.expect(x.repeatExtra - x.duplicated <= x.killRepeats, 'a kill -9 lead was emitted more than twice');
					if (x.killRepeats) r.note(`${run.tag} ${x.chatbot}: ${x.killRepeats} lead(s) repeated after the kill -9 (no atomic save in this engine: tolerated)`);
				});
			}
		}
		r.note('engine x chatbot: new leads / emitted / lost / duplicated (kill -9 repeats apart)');
		printTable(table);
		if (process.env.E2E_RESULTS_FILE) {
			fs.writeFileSync(process.env.E2E_RESULTS_FILE, JSON.stringify({ at: new Date().toISOString(), rows: table }, null, 2));
		}
	} catch (error) {
		r.report('the trigger engine run itself', error);
	} finally {
		await cleanUp(runs, tmp);
	}
	if (!r.isFinished()) process.exitCode = r.summarize() ? 0 : 1;
}

async function cleanUp(runs, tmp) {
	for (const run of runs) {
		if (run.engine) {
			await run.engine.tearDown({ keep: KEEP }).catch((error) => r.note(`${run.tag} teardown: ${error.message}`));
			if (KEEP) r.note(`${run.tag} kept ${run.engine.home}`);
		}
		for (const sim of [run.mainSim, run.utc8Sim]) if (sim) await sim.stop().catch(() => {});
	}
	n8n.killAll();
	s.killChildren();
	if (tmp) n8n.removeN8nHome(tmp);
}

main();
