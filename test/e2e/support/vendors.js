'use strict';

/** The package's node types, the four vendors and their credentials, and workflow builders for them. */

const path = require('path');

const REPO = path.resolve(__dirname, '..', '..', '..');

const PACKAGE = 'n8n-nodes-chatbot-leads';

const NODE_TYPE = `${PACKAGE}.chatbotLeads`;

const TRIGGER_TYPE = `${PACKAGE}.chatbotLeadsTrigger`;

const INSTANT_TYPE = `${PACKAGE}.chatbotLeadsInstantTrigger`;

/** Per vendor: the simulator's key (also our `provider` value) and n8n's credential type. */
const VENDORS = [
	{ vendor: 'chatbase', label: 'Chatbase', credentialType: 'chatbaseApi' },
	{ vendor: 'chatzuri', label: 'Chatzuri', credentialType: 'chatzuriApi' },
	{ vendor: 'chatofAi', label: 'Chatof.ai', credentialType: 'chatofAiApi' },
	{ vendor: 'robofy', label: 'Robofy', credentialType: 'robofyApi' },
];

// ------------------------------------------------------------------------- credentials

/** Stable credential ids, so workflows can refer to them before they are imported. */
function credentialId(vendor, variant = '') {
	return `sim${vendor}${variant}`.replace(/[^A-Za-z0-9]/g, '').padEnd(16, '0').slice(0, 16);
}

/**
 * The four credentials pointing at the simulator (n8n import:credentials format); Chatbase's and
 * Chatzuri's also hold the simulator's webhook signing secret.
 */
function simulatorCredentials(sim) {
	return VENDORS.map(({ vendor, label, credentialType }) => {
		const data = { apiKey: sim.keys[vendor], baseUrl: sim.baseUrls[vendor] };
		if (sim.webhookSecrets && sim.webhookSecrets[vendor]) data.webhookSecret = sim.webhookSecrets[vendor];
		return { id: credentialId(vendor), name: `${label} (local simulator)`, type: credentialType, data };
	});
}

/** How a node refers to a credential. */
function credentialRef(vendor, variant = '') {
	const { label, credentialType } = VENDORS.find((v) => v.vendor === vendor);
	return { [credentialType]: { id: credentialId(vendor, variant), name: variant ? `${label} (${variant})` : `${label} (local simulator)` } };
}

// ---------------------------------------------------------------------------- workflows

/** Node parameters picking a chatbot By ID (and Robofy's project). */
function chatbotParameters(vendor, chatbotId, projectId) {
	const parameters = { provider: vendor, chatbotId: { __rl: true, mode: 'id', value: String(chatbotId) } };
	if (vendor === 'robofy') parameters.projectId = { __rl: true, mode: 'id', value: String(projectId) };
	return parameters;
}

function manualTriggerNode(name = 'Manual Trigger', position = [0, 0]) {
	return { id: `${name}-id`.replace(/\W/g, ''), name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position, parameters: {} };
}

/** A Chatbot Leads node: `limit` undefined means Return All. */
function leadsNode({ name = 'Chatbot Leads', vendor, chatbotId, projectId, limit, credentialVariant = '', position = [220, 0], options = {} }) {
	const parameters = { ...chatbotParameters(vendor, chatbotId, projectId) };
	if (limit === undefined) parameters.returnAll = true;
	else Object.assign(parameters, { returnAll: false, limit });
	parameters.options = options;
	return {
		id: `${name}-id`.replace(/\W/g, ''),
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position,
		parameters,
		credentials: credentialRef(vendor, credentialVariant),
	};
}

/** A Chatbot Leads Trigger node polling every minute (n8n's shortest poll time). */
function triggerNode({ name = 'Chatbot Leads Trigger', vendor, chatbotId, projectId, credentialVariant = '', options = {}, position = [0, 0] }) {
	return {
		id: `${name}-id`.replace(/\W/g, ''),
		name,
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position,
		parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...chatbotParameters(vendor, chatbotId, projectId), options },
		credentials: credentialRef(vendor, credentialVariant),
	};
}

/**
 * A Chatbot Leads Instant Trigger. `webhookId` makes its production URL
 * `<n8n>/webhook/<webhookId>/webhook` (the editor sets one when the node is added).
 */
function instantTriggerNode({ name = 'Chatbot Leads Instant Trigger', vendor, chatbotId = '', webhookId, options = {}, credentialVariant = '', position = [0, 0] }) {
	return {
		id: `${name}-id`.replace(/\W/g, ''),
		name,
		type: INSTANT_TYPE,
		typeVersion: 1,
		position,
		webhookId,
		parameters: { provider: vendor, chatbotId: { __rl: true, mode: 'id', value: chatbotId }, options },
		credentials: credentialRef(vendor, credentialVariant),
	};
}

/** The production URL of an active workflow's Instant Trigger. */
function instantUrl(n8nUrl, webhookId) {
	return `${n8nUrl.replace(/\/+$/, '')}/webhook/${webhookId}/webhook`;
}

function noOpNode(name = 'Received', position = [220, 0]) {
	return { id: `${name}-id`.replace(/\W/g, ''), name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position, parameters: {} };
}

/** main connections from `from` to each of `to`. */
function connect(from, ...to) {
	return { [from]: { main: [to.map((node) => ({ node, type: 'main', index: 0 }))] } };
}

module.exports = { REPO, PACKAGE, NODE_TYPE, TRIGGER_TYPE, INSTANT_TYPE, VENDORS, credentialId, simulatorCredentials, credentialRef, chatbotParameters, manualTriggerNode, leadsNode, triggerNode, instantTriggerNode, instantUrl, noOpNode, connect };
