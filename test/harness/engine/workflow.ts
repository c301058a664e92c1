/** A one-node workflow around the node under test, and running it through n8n-core's WorkflowExecute. */

import { ExecutionLifecycleHooks, ExternalSecretsProxy, WorkflowExecute } from 'n8n-core';
import type { IDataObject, INode, INodeCredentials, INodeExecutionData, INodeType, IWorkflowBase, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { createRunExecutionData, deepCopy, ICredentialsHelper, UnexpectedError, Workflow } from 'n8n-workflow';

import { WORKFLOW_ID, ErrorCapture, TestNodeTypes, describeNodeType, START_NODE_TYPE, ManualTriggerStub, START_NODE_NAME } from './nodeTypes';
import { TestCredentials, CommonOptions, RunNodeOptions } from './types';
import { TestCredentialsHelper } from './credentials';
import { bootstrapN8nCore } from './bootstrap';

// ---------------------------------------------------------------------------------------------
// Workflow / additionalData construction
// ---------------------------------------------------------------------------------------------

let executionCounter = 0;

/** The CLI's `getBase()` additional data (exported for the webhook harness in webhook.ts). */
export function buildAdditionalData(
	credentialsHelper: ICredentialsHelper,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const unavailable = (what: string) => async () => {
		throw new UnexpectedError(`${what} is not available in the test harness`);
	};
	const baseUrl = 'http://localhost:5678/';
	return {
		credentialsHelper,
		executeWorkflow: unavailable('executeWorkflow (sub-workflows)'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: unavailable('startRunnerTask (task runners)'),
		logAiEvent: () => {},
		externalSecretsProxy: new ExternalSecretsProxy(),
		currentNodeExecutionIndex: 0,
		variables: {},
		workflowId: WORKFLOW_ID,
		restApiUrl: `${baseUrl}rest`,
		instanceBaseUrl: baseUrl,
		formBaseUrl: `${baseUrl}form`,
		formWaitingBaseUrl: `${baseUrl}form-waiting`,
		formTestBaseUrl: `${baseUrl}form-test`,
		webhookBaseUrl: `${baseUrl}webhook`,
		webhookWaitingBaseUrl: `${baseUrl}webhook-waiting`,
		webhookTestBaseUrl: `${baseUrl}webhook-test`,
		mcpBaseUrl: `${baseUrl}mcp`,
		mcpTestBaseUrl: `${baseUrl}mcp-test`,
		...extra,
	};
}

function wireNodeCredentials(credentials: TestCredentials | undefined): INodeCredentials | undefined {
	const types = Object.keys(credentials ?? {});
	if (types.length === 0) return undefined;
	const wired: INodeCredentials = {};
	for (const type of types) wired[type] = { id: `cred-${type}`, name: `${type} (test)` };
	return wired;
}

export interface BuiltWorkflow {
	workflow: Workflow;
	node: INode;
	nodeType: INodeType;
	capture: ErrorCapture;
	credentialsHelper: TestCredentialsHelper;
}

/** A Workflow holding the node under test, as n8n loads one from the DB (exported for webhook.ts). */
export function buildWorkflow(
	opts: CommonOptions,
	extra: { withStartNode: boolean; staticData?: IDataObject; active: boolean; continueOnFail?: boolean },
): BuiltWorkflow & { startNode?: INode } {
	bootstrapN8nCore();
	const capture: ErrorCapture = {};
	const nodeTypes = new TestNodeTypes(capture);
	const { typeName, typeVersion, defaultName } = describeNodeType(opts.nodeType, opts.typeVersion);
	nodeTypes.add(typeName, opts.nodeType);

	const node: INode = {
		id: opts.nodeId ?? 'node-under-test',
		name: opts.nodeName ?? defaultName,
		type: typeName,
		typeVersion,
		position: [400, 0],
		parameters: deepCopy(opts.parameters),
	};
	const credentials = wireNodeCredentials(opts.credentials);
	if (credentials) node.credentials = credentials;
	if (extra.continueOnFail) node.onError = 'continueRegularOutput';

	const nodes = [node];
	let startNode: INode | undefined;
	const connections: IWorkflowBase['connections'] = {};
	if (extra.withStartNode) {
		nodeTypes.add(START_NODE_TYPE, new ManualTriggerStub());
		startNode = {
			id: 'start-node',
			name: START_NODE_NAME,
			type: START_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		nodes.unshift(startNode);
		connections[START_NODE_NAME] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
	}

	// Like n8n loading a workflow from the DB: staticData is parsed JSON (Workflow wraps it in an
	// ObservableObject in place, so never hand it the caller's object).
	const staticData =
		extra.staticData === undefined ? undefined : (JSON.parse(JSON.stringify(extra.staticData)) as IDataObject);

	// The Workflow constructor fills in parameter defaults (NodeHelpers.getNodeParameters) on the
	// node objects, so read the node back from the workflow.
	const workflow = new Workflow({
		id: opts.workflowId ?? WORKFLOW_ID,
		name: 'Test workflow',
		nodes,
		connections,
		active: extra.active,
		nodeTypes,
		staticData,
		settings: opts.timezone === undefined ? { executionOrder: 'v1' } : { executionOrder: 'v1', timezone: opts.timezone },
	});
	const wfNode = workflow.getNode(node.name) as INode;
	const credentialsHelper = new TestCredentialsHelper(opts.credentialTypes, opts.credentials);
	return {
		workflow,
		node: wfNode,
		startNode: startNode && (workflow.getNode(startNode.name) as INode),
		nodeType: nodeTypes.getByNameAndVersion(typeName, typeVersion),
		capture,
		credentialsHelper,
	};
}

export function toWorkflowData(workflow: Workflow): IWorkflowBase {
	return {
		id: workflow.id,
		name: workflow.name ?? 'Test workflow',
		active: workflow.active,
		isArchived: false,
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		settings: workflow.settings,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as IWorkflowBase;
}

// ---------------------------------------------------------------------------------------------
// executeNode
// ---------------------------------------------------------------------------------------------

/**
 * Runs `start -> node under test` with n8n-core's WorkflowExecute and returns the node's output
 * (`INodeExecutionData[][]`, one array per output). If the execution fails, rejects with the error
 * object the node threw (NodeApiError / NodeOperationError as n8n built it); for failures outside
 * the node's own code (e.g. workflow issues) rejects with the error n8n recorded.
 */
export async function executeNode(opts: RunNodeOptions): Promise<INodeExecutionData[][]> {
	const mode = opts.mode ?? 'manual';
	const { workflow, node, startNode, capture, credentialsHelper } = buildWorkflow(opts, {
		withStartNode: true,
		active: false,
		continueOnFail: opts.continueOnFail,
	});

	const executionId = `harness-${++executionCounter}`;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, toWorkflowData(workflow));
	const additionalData = buildAdditionalData(credentialsHelper, { hooks, executionId });

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{
					node: startNode as INode,
					data: { main: [opts.inputItems ?? [{ json: {} }]] },
					source: null,
				},
			],
		},
	});

	const run = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(
		workflow,
	);

	const { error, runData } = run.data.resultData;
	if (error) throw capture.error ?? error;
	const taskData = runData[node.name]?.[0];
	if (taskData?.error) throw capture.error ?? taskData.error;
	return (taskData?.data?.main ?? []).map((items) => items ?? []);
}
