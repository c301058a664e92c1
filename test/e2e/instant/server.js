'use strict';

/** n8n for the Instant Trigger e2e: starting it (on the same port on a restart) once its webhooks answer, and stopping it. */
const n8n = require('../../../scripts/n8n/lib');
const s = require('../support');

const { ECHO, WORKFLOWS, note } = require('./common');

/**
 * n8n prints "Editor is now accessible" before it has registered the published workflows'
 * webhooks; until then their URLs answer 404. Waits until none does (an empty POST: the node
 * answers 400 and starts nothing).
 */
async function waitForWebhooks(state, timeoutMs = 60000) {
	const deadline = Date.now() + timeoutMs;
	for (const { webhookId } of WORKFLOWS) {
		for (;;) {
			const res = await s.httpJson('POST', s.instantUrl(state.server.url, webhookId), { body: '', allowError: true });
			if (res.status !== 404) break;
			if (Date.now() > deadline) throw new Error(`${webhookId}: still 404 after ${timeoutMs / 1000} s`);
			await s.sleep(250);
		}
	}
}

/** Starts n8n; on a restart, on the same port: the vendor keeps sending to the URL it was given. */
async function startServer(state) {
	const env = state.port ? { N8N_PORT: state.port } : {};
	state.server = await n8n.startN8n(state.home, { echo: ECHO, env });
	state.port = state.server.port;
	const started = Date.now();
	await waitForWebhooks(state);
	note(`n8n start: ready in ${state.server.startupMs} ms at ${state.server.url}; webhooks registered ${Date.now() - started} ms later`);
}

async function stopServer(state) {
	if (!state.server) return;
	const server = state.server;
	state.server = null;
	await server.stop();
	state.output = (state.output || '') + server.output();
}

module.exports = { waitForWebhooks, startServer, stopServer };
