/**
 * Webhook harness: drives a webhook trigger through n8n-core's REAL `WebhookContext` behind a
 * real HTTP server on 127.0.0.1, so tests send actual bytes and headers.
 *
 * What is real: `WebhookContext` (n8n-core 2.41: getRequestObject, getHeaderData,
 * getWorkflowStaticData, getCredentials through the harness's credentials helper, getNodeParameter
 * with n8n's expression engine, helpers.returnJsonArray), the Workflow and its ObservableObject
 * static data, `parseIncomingMessage` from @n8n/backend-network, n8n-workflow's `jsonParse`.
 *
 * What is modelled (packages/cli is not installed; read from n8n 2.41.1's dist):
 *  - LiveWebhooks.executeWebhook: every request builds a new Workflow from the persisted static
 *    data ("the database"), and writes it back (whole, if `__dataChanged`) once it has answered;
 *    manual (test URL) runs never save it.
 *  - WorkflowRunner.run, which runs between the node's answer and that save: it first builds
 *    another Workflow on the SAME static data object (establishContextForPersistence), which
 *    resets `__dataChanged`, so a webhook's change is lost whenever the workflow already had
 *    static data (a NULL column gives the request a fresh object, so the very first one is
 *    saved); then it reloads the static data from the database for the execution
 *    (prepareNewExecution). The execution saves its own Workflow's static data when it ends, if
 *    it changed (hookFunctionsSave, not in manual mode).
 *  - middlewares/body-parser.js parseBody: the raw bytes go to `req.rawBody`; `application/json`
 *    that does not parse is answered 422 "Failed to parse request body" before the node runs.
 *  - webhook-helpers.js executeWebhook: `noWebhookResponse` means the node answered itself; no
 *    `workflowData` means 200 with `webhookResponse` (or "Webhook call received") and no
 *    execution; `workflowData` means an execution is created (`startExecutionDelayMs` stands for
 *    WorkflowRunner.run) and then 200 "Workflow was started" (responseMode onReceived); a node
 *    that throws gets 500 "Workflow Webhook Error: Workflow could not be started!".
 *  - The started execution itself is real: n8n-core's WorkflowExecute runs it from the trigger
 *    node with the items the node returned (so a node with parameter issues fails there, as in n8n).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { parseIncomingMessage } from '@n8n/backend-network';
import { ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import type { ExecutionStatus, IDataObject, INodeExecutionData, IWebhookData, IWebhookResponseData } from 'n8n-workflow';
import { createRunExecutionData, jsonParse, ObservableObject } from 'n8n-workflow';

import { buildAdditionalData, buildWorkflow, toWorkflowData, type BuiltWorkflow, type CommonOptions } from './n8n';

export const WEBHOOK_ID = 'b2b0c5a4-6f51-4c1e-9d4f-2f4c1d0e7a11';

export interface WebhookServerOptions extends CommonOptions {
	/** 'webhook' = the production URL of an active workflow (default); 'manual' = Listen for Test Event. */
	mode?: 'webhook' | 'manual';
	/** The workflow's persisted static data when the server starts (default: none, a NULL column). */
	staticData?: IDataObject;
	/** Time between the node's answer and the static data save (n8n creating the execution). */
	startExecutionDelayMs?: number;
	/** n8n fails to create the execution after the node answered (e.g. the database is down): 500, nothing saved. */
	failExecutionStart?: boolean;
	/**
	 * The node's id (a new one per server by default, as separate workflows have): nodes that
	 * keep per-process memory by workflow and node see one trigger only where ids are equal.
	 */
	nodeId?: string;
}

export interface WebhookReply {
	status: number;
	body: unknown;
}

export interface StartedExecution {
	/** What the trigger node handed to the execution. */
	items: INodeExecutionData[];
	startedAt: number;
	/** How n8n-core's WorkflowExecute ended the execution ('error' e.g. when the node has parameter issues). */
	status: ExecutionStatus;
	error?: unknown;
	/** What the trigger's step in the execution passed on (its execute(): conversations added), once it ran. */
	output?: INodeExecutionData[];
}

export interface WebhookServer {
	/** `<base>/webhook/<webhook id>/webhook`, what the user pastes into the vendor's dashboard. */
	readonly url: string;
	post(body: string | Buffer, headers?: Record<string, string>): Promise<WebhookReply>;
	/** Executions n8n started, in order (see settled()). */
	readonly executions: StartedExecution[];
	/** Resolves once every started execution has finished. */
	settled(): Promise<void>;
	/** Errors the node threw (n8n answers 500 and records a failed execution). */
	readonly errors: unknown[];
	/** The static data as "the database" holds it now ({} while the column is NULL). */
	readonly persistedStaticData: IDataObject;
	close(): Promise<void>;
}

type HarnessRequest = http.IncomingMessage & {
	rawBody?: Buffer;
	body?: unknown;
	contentType?: string;
	encoding?: BufferEncoding;
	params?: IDataObject;
	query?: IDataObject;
};

function snapshot(data: IDataObject): IDataObject {
	return JSON.parse(JSON.stringify(data)) as IDataObject;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
	if (res.headersSent) return;
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

async function readRawBody(req: HarnessRequest): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** n8n's parseBody: false when it answered 422 itself. */
function parseBody(req: HarnessRequest, res: http.ServerResponse): boolean {
	const { rawBody, contentType, encoding } = req;
	if (!rawBody?.length || contentType !== 'application/json') return true;
	try {
		req.body = jsonParse(rawBody.toString(encoding).replace(/^\uFEFF/, ''));
		return true;
	} catch {
		sendJson(res, 422, { code: 422, message: 'Failed to parse request body' });
		return false;
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let executionCounter = 0;
let serverCounter = 0;

/** Runs the execution n8n starts for a webhook (trigger node first, with its items) on its own Workflow. */
async function runExecution(built: BuiltWorkflow, mode: 'webhook' | 'manual', main: INodeExecutionData[][]) {
	const { workflow, node, credentialsHelper } = built;
	const executionId = `webhook-harness-${++executionCounter}`;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, toWorkflowData(workflow));
	const additionalData = buildAdditionalData(credentialsHelper, { hooks, executionId });
	const runExecutionData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node, data: { main }, source: null }] } });
	try {
		const run = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
		const output = run.data.resultData.runData[node.name]?.[0]?.data?.main?.[0] ?? undefined;
		return { status: run.status, error: run.data.resultData.error, output: output ?? undefined };
	} catch (error) {
		// e.g. WorkflowHasIssuesError, which n8n records as a failed execution.
		return { status: 'error' as const, error };
	}
}

/** webhook-on-received-response-extractor.js: what n8n answers for a started execution. */
function onReceivedBody(responseData: unknown, result: IWebhookResponseData): unknown {
	if (responseData === 'noData') return undefined;
	if (responseData) return responseData;
	return result.webhookResponse ?? { message: 'Workflow was started' };
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
	const mode = opts.mode ?? 'webhook';
	// null: the staticData column is NULL (a workflow that never saved any).
	let persisted: IDataObject | null = opts.staticData ? snapshot(opts.staticData) : null;
	const nodeId = opts.nodeId ?? `webhook-node-${++serverCounter}`;
	const load = (staticData: IDataObject | null) => {
		const built = buildWorkflow(opts, { withStartNode: false, staticData: staticData ?? undefined, active: mode === 'webhook' });
		built.node.webhookId = WEBHOOK_ID;
		built.node.id = nodeId;
		return built;
	};
	const executions: StartedExecution[] = [];
	const errors: unknown[] = [];
	const running: Array<Promise<void>> = [];
	const path = `/${mode === 'manual' ? 'webhook-test' : 'webhook'}/${WEBHOOK_ID}/webhook`;

	async function handle(req: HarnessRequest, res: http.ServerResponse): Promise<void> {
		if (req.method !== 'POST' || req.url?.split('?')[0] !== path) return sendJson(res, 404, { code: 404, message: 'not registered' });
		parseIncomingMessage(req);
		req.rawBody = await readRawBody(req);
		req.params = {};
		req.query = {};
		if (!parseBody(req, res)) return;

		// Like LiveWebhooks: a fresh Workflow from what the database holds right now.
		const loadedNull = persisted === null;
		const built = load(persisted);
		const { workflow, node, nodeType, credentialsHelper } = built;
		const additionalData = buildAdditionalData(credentialsHelper, { httpRequest: req as never, httpResponse: res as never });
		const webhookDescription = nodeType.description.webhooks![0];
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: node.name,
			path: `${WEBHOOK_ID}/webhook`,
			webhookDescription,
			workflowId: String(workflow.id),
			workflowExecuteAdditionalData: additionalData,
			webhookId: WEBHOOK_ID,
			isTest: mode === 'manual',
		};
		const context = new WebhookContext(workflow, node, additionalData, mode, webhookData, [], null);
		let result: IWebhookResponseData;
		try {
			result = await nodeType.webhook!.call(context);
		} catch (error) {
			errors.push(error);
			return sendJson(res, 500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
		}
		let started: StartedExecution | undefined;
		let executionData: IDataObject | null = null;
		if (result.noWebhookResponse === true) {
			if (!res.writableEnded) res.end();
		} else if (result.workflowData === undefined) {
			sendJson(res, 200, result.webhookResponse ?? { message: 'Webhook call received' });
		} else {
			// WorkflowRunner.run: a second Workflow on the same static data object resets the change
			// flag (unless the column was NULL), then the execution gets the static data from the DB.
			if (!loadedNull) ObservableObject.create(workflow.staticData, undefined, { ignoreEmptyOnFirstChild: true });
			executionData = persisted;
			if (opts.startExecutionDelayMs) await sleep(opts.startExecutionDelayMs);
			if (opts.failExecutionStart) return sendJson(res, 500, { code: 0, message: 'There was a problem executing the workflow' });
			started = { items: result.workflowData[0] ?? [], startedAt: Date.now(), status: 'running' };
			executions.push(started);
			sendJson(res, 200, onReceivedBody(webhookDescription.responseData, result));
		}
		// Saved right after answering, whatever the answer, when n8n still sees a change (never for test runs).
		const staticData = workflow.staticData as IDataObject;
		if (mode === 'webhook' && staticData.__dataChanged === true) persisted = snapshot(staticData);
		// The execution goes on after the answer (responseMode onReceived), and saves its own changes at the end.
		if (started && result.workflowData) {
			const execution = started;
			const main = result.workflowData;
			const run = async () => {
				const executionWorkflow = load(executionData);
				Object.assign(execution, await runExecution(executionWorkflow, mode, main));
				const changed = executionWorkflow.workflow.staticData as IDataObject;
				if (mode === 'webhook' && changed.__dataChanged === true) persisted = snapshot(changed);
			};
			running.push(run());
		}
	}

	const server = http.createServer((req, res) => {
		handle(req as HarnessRequest, res).catch((error: unknown) => {
			errors.push(error);
			sendJson(res, 500, { message: String(error) });
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	return {
		url: `${base}${path}`,
		post: (body, headers = {}) => postTo(`${base}${path}`, body, headers),
		executions,
		settled: async () => void (await Promise.all(running)),
		errors,
		get persistedStaticData() {
			return persisted ?? {};
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** One POST with exactly these bytes; resolves the status and the (JSON-parsed when possible) body. */
export function postTo(url: string, body: string | Buffer, headers: Record<string, string>): Promise<WebhookReply> {
	const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers: { 'content-length': payload.length, ...headers } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let parsed: unknown = text;
				try {
					parsed = text ? JSON.parse(text) : null;
				} catch {
					/* not JSON */
				}
				resolve({ status: res.statusCode ?? 0, body: parsed });
			});
		});
		req.on('error', reject);
		req.end(payload);
	});
}
