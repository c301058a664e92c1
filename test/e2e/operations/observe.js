'use strict';
/** What the scenarios look at: n8n's executions and static data, the simulator's requests, waiting for polls and emissions. */
const n8n = require('../../../scripts/n8n/lib');
const s = require('../support');

const { POLL_WAIT_MS, WORKFLOWS, state, expect } = require('./common');

// ------------------------------------------------------------------------- observations

/**
 * Every execution of the seven workflows, read at most every 3 s and shared by the waiting
 * scenarios: per workflow, the leads its successful executions emitted ({ email, chatbotId,
 * executionId }) and its other finished executions ({ id, status, message }).
 */
async function snapshot() {
	const fresh = state.lastSnapshot && Date.now() - state.lastSnapshot.at < 3000;
	if (!fresh) {
		const at = Date.now();
		state.lastSnapshot = { at, promise: readSnapshot() };
		state.lastSnapshot.promise.catch(() => (state.lastSnapshot = null));
	}
	return await state.lastSnapshot.promise;
}

async function readSnapshot() {
	const out = Object.fromEntries(WORKFLOWS.map((w) => [w.key, { leads: [], failures: [], busy: 0 }]));
	const byId = Object.fromEntries(WORKFLOWS.map((w) => [w.id, w.key]));
	for (const execution of await n8n.readExecutions(state.home)) {
		const entry = out[byId[execution.workflowId]];
		if (!entry) continue;
		if (['new', 'running', 'waiting'].includes(execution.status)) {
			entry.busy += 1;
			continue;
		}
		if (execution.status !== 'success') {
			const error = n8n.runError(execution);
			entry.failures.push({ id: execution.id, status: execution.status, message: error ? String(error.message) : '', error });
			continue;
		}
		const nodes = (execution.workflowData && execution.workflowData.nodes) || [];
		const trigger = nodes.find((node) => node.type === s.TRIGGER_TYPE);
		for (const lead of n8n.nodeOutput(execution, trigger ? trigger.name : 'Chatbot Leads Trigger') || []) {
			entry.leads.push({ email: lead.email, chatbotId: lead.chatbotId, executionId: execution.id });
		}
	}
	return out;
}

/** The simulator's lead requests for one chatbot: [{ at (ms), status, query }]. */
async function requests(w, chatbotId) {
	const { requests: all } = (await state.sim.admin('GET', `/requests?vendor=${w.vendor}`)).body;
	return all
		.filter((q) => !/get-chatbots|\/projects$|\/ai-agent\/chatbot\//.test(q.path))
		.filter((q) => JSON.stringify([q.path, q.query]).includes(chatbotId))
		.map((q) => ({ at: Date.parse(q.at), status: q.status, query: q.query, path: q.path }));
}

async function waitFor(what, condition, timeoutMs = POLL_WAIT_MS) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (state.server && state.server.process.exitCode !== null) throw new Error(`n8n exited while waiting for ${what}`);
		if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
		await s.sleep(2000);
	}
}

/** Waits until a lead request for `chatbotId` that arrived after `afterMs` was answered. */
async function waitForPoll(w, chatbotId, afterMs, what = `a poll of ${chatbotId}`) {
	return await waitFor(what, async () => (await requests(w, chatbotId)).some((q) => q.at > afterMs && q.status !== null));
}

/** Emails of `emails` the workflow has not emitted yet. */
async function notEmitted(w, emails) {
	const got = new Set((await snapshot())[w.key].leads.map((lead) => lead.email));
	return emails.filter((email) => !got.has(email));
}

async function waitForEmitted(w, emails, timeoutMs = POLL_WAIT_MS) {
	let missing = emails;
	try {
		await waitFor(`${emails.length} lead(s) emitted by ${w.label}`, async () => (missing = await notEmitted(w, emails)).length === 0, timeoutMs);
	} catch (error) {
		throw new Error(`${error.message}; ${missing.length} of ${emails.length} never came out (${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', ...' : ''})`);
	}
}

/** No lead came out twice so far, and none that existed before. */
async function expectNoRepeats(w) {
	const { leads } = (await snapshot())[w.key];
	const counts = countBy(leads.map((lead) => lead.email));
	const repeated = [...counts].filter(([, n]) => n > 1).map(([email, n]) => `${email} x${n}`);
	const old = leads.filter((lead) => state.old[w.key].has(lead.email)).map((lead) => lead.email);
	expect(repeated.length === 0, `emitted more than once: ${repeated.length} lead(s) (${repeated.slice(0, 4).join(', ')})`);
	expect(old.length === 0, `leads from before emitted: ${old.length} (${old.slice(0, 4).join(', ')})`);
}

function countBy(values) {
	const counts = new Map();
	for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
	return counts;
}

/** The trigger's static data, shortened for a report (long strings, e.g. the seen ids, by length). */
async function staticDataSummary(w) {
	const data = await n8n.readStaticData(state.home, w.id).catch((error) => ({ error: error.message }));
	const shorten = (value) => {
		if (typeof value === 'string') return value.length > 60 ? `<${value.length} chars>` : value;
		if (Array.isArray(value)) return value.length > 8 ? `<${value.length} items>` : value.map(shorten);
		if (value && typeof value === 'object') {
			const entries = Object.entries(value);
			if (entries.length > 8 && entries.every(([, v]) => typeof v === 'string')) return `<${entries.length} entries>`; // seen-id runs
			return Object.fromEntries(entries.map(([k, v]) => [k, shorten(v)]));
		}
		return value;
	};
	return JSON.stringify(shorten(data));
}

/** Whether every node key of the static data that holds a cursor has one (format-agnostic). */
function savedCursors(data) {
	return Object.entries(data || {})
		.filter(([key, value]) => key.startsWith('node:') && value && value.leadCursor)
		.map(([key]) => key);
}

module.exports = { snapshot, readSnapshot, requests, waitFor, waitForPoll, notEmitted, waitForEmitted, expectNoRepeats, countBy, staticDataSummary, savedCursors };
