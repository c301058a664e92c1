'use strict';
/**
 * The workflows the benchmark imports into n8n. All start with a Manual Trigger (what
 * `n8n execute` needs); the trigger comparison's "ours" uses the Chatbot Leads Trigger.
 */

const PKG = 'n8n-nodes-chatbot-leads';
const ROBOFY_PROJECT = '7';

const CRED_TYPES = { chatbase: 'chatbaseApi', chatzuri: 'chatzuriApi', chatofAi: 'chatofAiApi', robofy: 'robofyApi' };

/** Credentials: one of ours per vendor, and one generic Bearer credential per vendor for DIY. */
function credentials(sim) {
	const list = [];
	for (const vendor of Object.keys(CRED_TYPES)) {
		list.push({ id: `benchOurs${vendor}`.slice(0, 16), name: `bench ${vendor}`, type: CRED_TYPES[vendor], data: { apiKey: sim.keys[vendor], baseUrl: sim.baseUrls[vendor] } });
		list.push({ id: `benchBear${vendor}`.slice(0, 16), name: `bench bearer ${vendor}`, type: 'httpBearerAuth', data: { token: sim.keys[vendor] } });
	}
	return list;
}
const oursCred = (vendor) => ({ [CRED_TYPES[vendor]]: { id: `benchOurs${vendor}`.slice(0, 16), name: `bench ${vendor}` } });
const bearerCred = (vendor) => ({ httpBearerAuth: { id: `benchBear${vendor}`.slice(0, 16), name: `bench bearer ${vendor}` } });

const manual = { id: 'manual', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
const link = (from, to) => ({ [from]: { main: [[{ node: to, type: 'main', index: 0 }]] } });

/** Chatbot Leads, Return All. */
function oursWorkflow(id, vendor, chatbotId, { concurrency } = {}) {
	const parameters = {
		provider: vendor,
		chatbotId: { __rl: true, mode: 'id', value: chatbotId },
		returnAll: true,
		filters: {},
		options: concurrency === undefined ? {} : { concurrency },
	};
	if (vendor === 'robofy') parameters.projectId = { __rl: true, mode: 'id', value: ROBOFY_PROJECT };
	return {
		id,
		name: `bench ours ${vendor} c=${concurrency ?? 'default'}`,
		nodes: [
			manual,
			{ id: 'leads', name: 'Chatbot Leads', type: `${PKG}.chatbotLeads`, typeVersion: 1, position: [220, 0], parameters, credentials: oursCred(vendor) },
		],
		connections: link('Manual', 'Chatbot Leads'),
	};
}

/**
 * The do-it-yourself configuration of n8n's HTTP Request node (typeVersion 4.2) with its
 * built-in pagination, per vendor, and the field Split Out turns into one item per lead.
 */
function diySpec(vendor, sim, chatbotId, { query = [] } = {}) {
	const base = sim.baseUrls[vendor];
	if (vendor === 'chatbase' || vendor === 'chatzuri') {
		const idParam = vendor === 'chatbase' ? 'chatbotId' : 'agentId';
		const field = vendor === 'chatbase' ? 'collectedCustomers' : 'data';
		return {
			url: `${base}/get-leads`,
			query: [{ name: idParam, value: chatbotId }, { name: 'size', value: '100' }, ...query],
			paginate: [{ type: 'qs', name: 'page', value: '={{ $pageCount + 1 }}' }],
			complete: `={{ $response.body.${field}.length === 0 }}`,
			splitField: field,
		};
	}
	if (vendor === 'chatofAi') {
		return {
			url: `${base}/chatbot/${chatbotId}/leads`,
			query: [{ name: 'page_size', value: '100' }, ...query],
			paginate: [{ type: 'qs', name: 'page', value: '={{ $pageCount + 1 }}' }],
			// The best DIY: stop on the total instead of asking for an empty page.
			complete:
				'={{ $response.body.data.leads.length === 0 || $response.body.data.page * $response.body.data.page_size >= $response.body.data.total }}',
			splitField: 'data.leads',
		};
	}
	if (vendor === 'robofy') {
		return {
			url: `${base}/ai-agent/leads/${ROBOFY_PROJECT}/${chatbotId}`,
			query,
			paginate: [{ type: 'qs', name: 'nextPageToken', value: '={{ $response.body.data.report.next_page_token }}' }],
			complete: '={{ !$response.body.data.report.next_page_token }}',
			splitField: 'data.report.rows',
		};
	}
	throw new Error(`no DIY spec for ${vendor}`);
}

function httpRequestNode(name, vendor, spec, position = [220, 0]) {
	const parameters = {
		url: spec.url,
		authentication: 'genericCredentialType',
		genericAuthType: 'httpBearerAuth',
		options: {
			pagination: {
				pagination: {
					paginationMode: 'updateAParameterInEachRequest',
					parameters: { parameters: spec.paginate },
					paginationCompleteWhen: 'other',
					completeExpression: spec.complete,
				},
			},
		},
	};
	if (spec.query.length) {
		parameters.sendQuery = true;
		parameters.queryParameters = { parameters: spec.query };
	}
	return { id: 'http', name, type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position, parameters, credentials: bearerCred(vendor) };
}

function splitOutNode(name, field, position = [440, 0]) {
	return { id: 'split', name, type: 'n8n-nodes-base.splitOut', typeVersion: 1, position, parameters: { fieldToSplitOut: field, options: {} } };
}

/** HTTP Request (paginated) -> Split Out. */
function diyWorkflow(id, vendor, sim, chatbotId) {
	const spec = diySpec(vendor, sim, chatbotId);
	return {
		id,
		name: `bench diy ${vendor}`,
		nodes: [manual, httpRequestNode('HTTP Request', vendor, spec), splitOutNode('Split Out', spec.splitField)],
		connections: { ...link('Manual', 'HTTP Request'), ...link('HTTP Request', 'Split Out') },
	};
}

// ------------------------------------------------------------------------- polling comparison

/** Our trigger, polling every minute; First Poll emits leads since `emitSince` (YYYY-MM-DD). */
function oursTriggerWorkflow(id, vendor, chatbotId, emitSince) {
	const parameters = {
		pollTimes: { item: [{ mode: 'everyMinute' }] },
		provider: vendor,
		chatbotId: { __rl: true, mode: 'id', value: chatbotId },
		firstPoll: 'emitSince',
		emitSince,
		options: {},
	};
	if (vendor === 'robofy') parameters.projectId = { __rl: true, mode: 'id', value: ROBOFY_PROJECT };
	return {
		id,
		name: `bench ours trigger ${vendor}`,
		nodes: [{ id: 'trig', name: 'Chatbot Leads Trigger', type: `${PKG}.chatbotLeadsTrigger`, typeVersion: 1, position: [0, 0], parameters, credentials: oursCred(vendor) }],
		connections: {},
	};
}

/**
 * The DIY poll: (Schedule Trigger, here the Manual Trigger run once per poll) -> HTTP Request
 * with the vendor's date filter -> Split Out -> Remove Duplicates "Remove Items Processed in
 * Previous Executions". `now` is the expression standing for $now (see trigger-bench.js).
 *   pattern 'todayById':    startDate = today,     keep items whose id was not seen before
 *   pattern 'afterLastSeen': startDate = yesterday, keep items whose created_at is later than the latest stored
 */
function diyPollWorkflow(id, vendor, sim, chatbotId, pattern, now) {
	const day = pattern === 'todayById' ? `${now}.toUTC().toFormat('yyyy-MM-dd')` : `${now}.toUTC().minus({ days: 1 }).toFormat('yyyy-MM-dd')`;
	const dateParam = vendor === 'chatofAi' ? 'start_date' : 'startDate';
	const spec = diySpec(vendor, sim, chatbotId, { query: [{ name: dateParam, value: `={{ ${day} }}` }] });
	const dedupe =
		pattern === 'todayById'
			? { operation: 'removeItemsSeenInPreviousExecutions', logic: 'removeItemsWithAlreadySeenKeyValues', dedupeValue: '={{ $json.id }}', options: {} }
			: { operation: 'removeItemsSeenInPreviousExecutions', logic: 'removeItemsUpToStoredDate', dateDedupeValue: '={{ $json.created_at }}', options: {} };
	return {
		id,
		name: `bench diy poll ${pattern} ${vendor}`,
		nodes: [
			manual,
			httpRequestNode('HTTP Request', vendor, spec),
			splitOutNode('Split Out', spec.splitField),
			{ id: 'dedupe', name: 'Remove Duplicates', type: 'n8n-nodes-base.removeDuplicates', typeVersion: 2, position: [660, 0], parameters: dedupe },
		],
		connections: { ...link('Manual', 'HTTP Request'), ...link('HTTP Request', 'Split Out'), ...link('Split Out', 'Remove Duplicates') },
	};
}

module.exports = { PKG, ROBOFY_PROJECT, credentials, oursWorkflow, diyWorkflow, diySpec, oursTriggerWorkflow, diyPollWorkflow };
