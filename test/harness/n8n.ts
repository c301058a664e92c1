/**
 * Test harness that runs our nodes through n8n-core's REAL execution machinery.
 *
 * Why: a hand-written fake of IExecuteFunctions / IPollFunctions only proves that a node works
 * against our own idea of n8n. Here every `this.*` call a node makes is answered by n8n-core 2.41
 * itself: parameters are resolved by n8n-workflow's expression engine (with defaults applied the
 * way the editor/Workflow constructor does), `this.getCredentials()` goes through n8n-core's
 * credential checks, `this.helpers.httpRequestWithAuthentication()` goes through n8n-core's request
 * helpers + @n8n/backend-network's HTTP client (so nock sees the real outgoing request),
 * `this.getWorkflowStaticData()` returns n8n-workflow's ObservableObject, and errors are shaped by
 * n8n-workflow's NodeApiError / NodeOperationError.
 *
 * What is real (n8n-core / n8n-workflow code, unmodified):
 *  - executeNode: `WorkflowExecute.processRunExecutionData` on a 2-node workflow
 *    (manual-trigger-like start node -> node under test), i.e. the same path n8n's own
 *    `packages/core/nodes-testing/node-test-harness.ts` uses. `ExecuteContext` is built by
 *    WorkflowExecute itself, continueOnFail comes from `node.onError`.
 *  - pollNode 'trigger': a real `PollContext` driven by n8n-core's `PollTriggerExecutor` (the object
 *    `ActiveWorkflowTriggers` uses for every scheduled poll tick), through `TriggersAndPollers`.
 *  - pollNode 'manual': exactly what `WorkflowExecute.executePollNode` does for "Fetch Test Event":
 *    `new PollContext(workflow, node, additionalData, 'manual', 'manual')` + `nodeType.poll.call()`.
 *  - loadOptions: a real `LoadOptionsContext`, built like the CLI's DynamicNodeParametersService.
 *  - Workflow, ObservableObject static data, expression resolution, NodeHelpers, Logger,
 *    ErrorReporter, Tracing (no-op implementation by default), OutboundHttp.
 *
 * What is stubbed (things that live in packages/cli, which is not installed):
 *  - `TestCredentialsHelper` replaces the CLI's CredentialsHelper (DB + encryption). It serves the
 *    plain credential data you pass in, applies credential-property defaults and resolves
 *    expressions in credential data like the CLI does, and applies `authenticate` (function or
 *    IAuthenticateGeneric) with the same expression resolution as
 *    packages/cli/src/credentials-helper.ts. No OAuth, no credential overwrites, no $secrets.
 *  - `IWorkflowExecuteAdditionalData` is a plain object (CLI: workflow-execute-additional-data.ts
 *    `getBase()`); sub-workflow execution, task runners and AI logging throw / no-op.
 *  - `InstanceSettings` is a stub object registered in the DI container, because the real class
 *    reads/creates ~/.n8n/config (encryption key) on construction. Nodes only see it through
 *    `getInstanceId()` / signed resume URLs.
 *  - The CLI's persistence of static data (WorkflowStaticDataService) is modelled, see pollNode.
 *  - The node type is "loaded" the way n8n-core's DirectoryLoader does it (polling nodes get the
 *    `pollTimes` parameter prepended, loadOptions method names are recorded) on a shallow clone,
 *    so our node instances are never mutated. `execute`/`poll` are wrapped transparently only to
 *    capture the original error object (WorkflowExecute stores errors as `{ ...error }` copies).
 *
 * DI container: n8n-core pulls a few services from `@n8n/di`'s Container (Logger,
 * InstanceSettings, OutboundHttp, ErrorReporter, Tracing, TriggersAndPollers, PollTriggerExecutor).
 * All of them construct fine from defaults except InstanceSettings (see above). Logging is made
 * silent unless N8N_LOG_LEVEL is set, by setting GlobalConfig.logging.level before the root Logger
 * is constructed. Jest gives every test file its own module registry, hence its own Container.
 *
 * HTTP: n8n-core 2.41 sends requests through @n8n/backend-network (axios based, Node http module),
 * so `nock` intercepts them. SSRF protection is off by default (N8N_SSRF_PROTECTION_ENABLED).
 * NOTE (real n8n behaviour): httpRequestWithAuthentication retries once on HTTP 401 (it calls
 * credentialsHelper.preAuthentication(..., expired=true) and re-sends). Mock 401s with `.times(2)`.
 */
import * as os from 'node:os';
import * as path from 'node:path';

import { Logger } from '@n8n/backend-common';
import { GlobalConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import {
	ExecuteContext,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	InstanceSettings,
	LoadOptionsContext,
	PollContext,
	PollTriggerExecutor,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import { commonPollingParameters } from 'n8n-core/dist/nodes-loader/constants';
import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialsExpressionResolveValues,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentials,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodePropertyOptions,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IPollFunctions,
	IRequestOptionsSimplified,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	createEmptyRunExecutionData,
	createRunExecutionData,
	deepCopy,
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	Workflow,
} from 'n8n-workflow';

// ---------------------------------------------------------------------------------------------
// Public API types
// ---------------------------------------------------------------------------------------------

/** Credential data per credential type name, e.g. `{ chatbaseApi: { apiKey: 'k', baseUrl: '...' } }`. */
export interface TestCredentials {
	[credentialType: string]: ICredentialDataDecryptedObject;
}

export interface CommonOptions {
	/** An instance of the node class under test, e.g. `new ChatbotLeads()`. */
	nodeType: INodeType | IVersionedNodeType;
	/** Instances of the credential classes the node may use. */
	credentialTypes: ICredentialType[];
	/** Node parameters as the editor would store them (n8n applies the defaults for the rest). */
	parameters: INodeParameters;
	/**
	 * Credential data per credential type name. The harness sets `node.credentials[type]` for every
	 * type listed here, like selecting a credential in the editor.
	 */
	credentials?: TestCredentials;
	/** Node name; defaults to `description.defaults.name` (what the editor names a new node). */
	nodeName?: string;
	/**
	 * Node id; defaults to 'node-under-test'. n8n keys a node's static data by its NAME and keeps the
	 * id when the node is renamed: a rename is the same `nodeId` with another `nodeName`.
	 */
	nodeId?: string;
	/** Workflow id; defaults to 'harnessWf01'. A duplicated workflow has another id. */
	workflowId?: string;
	/** Node type version; defaults to the latest version of the node. */
	typeVersion?: number;
	/** The workflow's Timezone setting (`settings.timezone`); unset: n8n's default (GENERIC_TIMEZONE). */
	timezone?: string;
}

export interface RunNodeOptions extends CommonOptions {
	nodeType: INodeType | IVersionedNodeType;
	/** Items the start node emits into the node under test. Default `[{ json: {} }]`. */
	inputItems?: INodeExecutionData[];
	/** Sets the node setting "On Error: Continue" (`onError: 'continueRegularOutput'`). */
	continueOnFail?: boolean;
	/** Execution mode. Default 'manual' (the editor's "Execute workflow"). */
	mode?: WorkflowExecuteMode;
}

export interface PollOptions extends CommonOptions {
	/** The workflow's persisted staticData (plain JSON, e.g. from a previous pollNode result). */
	staticData?: IDataObject;
	/** 'trigger' = a scheduled poll of an active workflow (default), 'manual' = "Fetch Test Event". */
	mode?: 'trigger' | 'manual';
	/** What `this.getActivationMode()` returns in 'trigger' mode. Default 'activate'. */
	activation?: WorkflowActivateMode;
	/**
	 * What `this.getPollBudgetMs()` returns in 'trigger' mode (n8n: the scheduler's poll timeout
	 * minus its margin). Default: PollContext's own default (5 minutes).
	 */
	pollBudgetMs?: number;
}

export interface PollResult {
	/** What `poll()` returned (null = nothing new, n8n does not start an execution). */
	items: INodeExecutionData[][] | null;
	/**
	 * The workflow staticData as n8n would have it persisted after this poll: a JSON deep copy of
	 * `workflow.staticData` if n8n noticed a change (and the mode persists at all), else the
	 * `staticData` you passed in, unchanged.
	 */
	staticData: IDataObject;
	/**
	 * n8n's own change flag, `workflow.staticData.__dataChanged`, after the poll (in a PollSession:
	 * before the CLI's save resets it).
	 */
	staticDataChanged: boolean;
	/** Whether n8n would write staticData (changed && mode 'trigger'; manual runs never save it). */
	persisted: boolean;
	/** JSON copy of the live in-memory staticData after the poll, whatever n8n would persist. */
	inMemoryStaticData: IDataObject;
	/**
	 * Errors the node reported with `this.__emitError(error)` while its poll went on and returned
	 * (n8n: an error execution and the error workflow for each), in order. A poll that throws
	 * rejects instead (n8n's executor reports that error through the same __emitError).
	 */
	reportedErrors: Error[];
}

// ---------------------------------------------------------------------------------------------
// DI bootstrap
// ---------------------------------------------------------------------------------------------

let bootstrapped = false;

export function bootstrapN8nCore(): void {
	if (bootstrapped) return;
	bootstrapped = true;

	// Silence n8n's winston logger (ErrorReporter logs every node error at level "error").
	// Must happen before the first Container.get(Logger): the root Logger reads the level once and
	// also initialises n8n-workflow's LoggerProxy with itself.
	if (!process.env.N8N_LOG_LEVEL) Container.get(GlobalConfig).logging.level = 'silent';
	Container.get(Logger);

	// The real InstanceSettings reads or creates `~/.n8n/config` in its constructor. Nodes only use
	// instanceId / hmacSignatureSecret (getInstanceId(), signed resume URLs); WorkflowExecute's
	// StorageConfig joins a path onto n8nFolder (nothing is written there for JSON-only nodes).
	const instanceSettings = {
		n8nFolder: path.join(os.tmpdir(), 'n8n-test-harness'),
		fsStorageMigrated: true,
		instanceId: 'test-instance-id',
		hmacSignatureSecret: 'test-hmac-secret',
		encryptionKey: 'test-encryption-key',
		instanceType: 'main',
		isLeader: true,
		isMultiMain: false,
		isSingleMain: true,
		isWorker: false,
	};
	Container.set(InstanceSettings, instanceSettings as unknown as InstanceSettings);
}

// ---------------------------------------------------------------------------------------------
// Node types ("loading" like n8n-core's DirectoryLoader, without mutating our instances)
// ---------------------------------------------------------------------------------------------

const PACKAGE_NAME = 'n8n-nodes-chatbot-leads';
const START_NODE_TYPE = 'n8n-nodes-base.manualTrigger';
const START_NODE_NAME = 'When clicking ‘Execute workflow’';
const WORKFLOW_ID = 'harnessWf01'; // passes the CLI's isWorkflowIdValid()

/** Minimal stand-in for n8n-nodes-base.manualTrigger: emits the items it is started with. */
class ManualTriggerStub implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Runs the flow on clicking a button in n8n',
		defaults: { name: START_NODE_NAME },
		inputs: [],
		outputs: ['main'],
		properties: [],
	};

	async execute(this: import('n8n-workflow').IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

/** Holds the original error object thrown by the node under test (see file header). */
interface ErrorCapture {
	error?: unknown;
	/** True while the node's own poll()/execute() runs: tells its own __emitError calls from n8n's. */
	running?: boolean;
}

function latestVersion(description: INodeTypeDescription): number {
	const { version } = description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/**
 * Returns a shallow clone of `nodeType` prepared the way n8n-core's DirectoryLoader prepares a
 * loaded node (applySpecialNodeParameters + addLoadOptionsMethods), with `execute`/`poll`
 * wrapped so the original error object can be captured. Prototype chain is kept, so class
 * methods, `methods`, NODE_CLASS_TAG etc. behave as before.
 */
function prepareNodeType(nodeType: INodeType, capture: ErrorCapture): INodeType {
	const prepared = Object.create(nodeType) as INodeType;
	const description: INodeTypeDescription = {
		...nodeType.description,
		properties: [...nodeType.description.properties],
	};
	if (description.polling && !description.properties.some((p) => p.name === 'pollTimes')) {
		description.properties.unshift(...commonPollingParameters);
	}
	if (nodeType.methods?.loadOptions) {
		description.__loadOptionsMethods = Object.keys(nodeType.methods.loadOptions);
	}
	prepared.description = description;

	for (const key of ['execute', 'poll'] as const) {
		const original = nodeType[key] as ((...args: unknown[]) => Promise<unknown>) | undefined;
		if (typeof original !== 'function') continue;
		const wrapped = async function (this: unknown, ...args: unknown[]) {
			capture.running = true;
			try {
				return await original.apply(this, args);
			} catch (error) {
				capture.error = error;
				throw error;
			} finally {
				capture.running = false;
			}
		};
		(prepared as unknown as Record<string, unknown>)[key] = wrapped;
	}
	return prepared;
}

class TestNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	private readonly prepared = new Map<string, INodeType>();

	constructor(private readonly capture: ErrorCapture) {}

	add(typeName: string, nodeType: INodeType | IVersionedNodeType): void {
		this.types.set(typeName, nodeType);
	}

	getByName(typeName: string): INodeType | IVersionedNodeType {
		const nodeType = this.types.get(typeName);
		if (!nodeType) throw new UnexpectedError(`Unknown node type "${typeName}" in test harness`);
		return nodeType;
	}

	getByNameAndVersion(typeName: string, version?: number): INodeType {
		const key = `${typeName}@${version ?? 'latest'}`;
		let nodeType = this.prepared.get(key);
		if (!nodeType) {
			const versioned = NodeHelpers.getVersionedNodeType(this.getByName(typeName), version);
			nodeType = prepareNodeType(versioned, this.capture);
			this.prepared.set(key, nodeType);
		}
		return nodeType;
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

function describeNodeType(nodeType: INodeType | IVersionedNodeType, typeVersion?: number) {
	const versionNode = NodeHelpers.getVersionedNodeType(nodeType, typeVersion);
	const description = versionNode.description;
	return {
		typeName: `${PACKAGE_NAME}.${description.name}`,
		typeVersion:
			typeVersion ??
			('nodeVersions' in nodeType ? nodeType.currentVersion : latestVersion(description)),
		defaultName: (description.defaults?.name as string | undefined) ?? description.displayName,
	};
}

// ---------------------------------------------------------------------------------------------
// Credentials helper (replaces packages/cli/src/credentials-helper.ts)
// ---------------------------------------------------------------------------------------------

export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly types = new Map<string, ICredentialType>();

	private readonly data: TestCredentials;

	constructor(credentialTypes: ICredentialType[], data: TestCredentials = {}) {
		super();
		for (const type of credentialTypes) this.types.set(type.name, type);
		this.data = deepCopy(data);
	}

	private getType(typeName: string): ICredentialType {
		const type = this.types.get(typeName);
		if (!type) {
			throw new UnexpectedError(
				`Unknown credential type "${typeName}": pass it in credentialTypes`,
			);
		}
		return type;
	}

	getParentTypes(typeName: string): string[] {
		const extendsList = this.types.get(typeName)?.extends ?? [];
		return extendsList.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.types.get(credentialType);
		if (!type?.restrictToSupportedNodes) return true;
		const shortName = nodeType.split('.').pop() ?? nodeType;
		const supported = type.supportedNodes ?? [];
		return supported.includes(nodeType) || supported.includes(shortName);
	}

	/** Same algorithm as the CLI's CredentialsHelper.authenticate. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions;
		const credentialType = this.getType(typeName);
		const { authenticate } = credentialType;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (typeof authenticate === 'object') {
			requestOptions.headers ??= {};
			if (authenticate.type === 'generic') {
				const properties = (authenticate as IAuthenticateGeneric).properties;
				for (const [outerKey, outerValue] of Object.entries(properties)) {
					for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
						const keyResolved = this.resolveValue(key, { $credentials: credentials }, workflow, node);
						const valueResolved = this.resolveValue(
							value,
							{ $credentials: credentials },
							workflow,
							node,
						);
						const options = requestOptions as unknown as Record<string, Record<string, unknown>>;
						options[outerKey] ??= {};
						options[outerKey][keyResolved] = valueResolved;
					}
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/** Same as the CLI: resolve "=..." expressions with the workflow's expression engine. */
	private resolveValue(
		parameterValue: string,
		additionalKeys: IWorkflowDataProxyAdditionalKeys,
		workflow: Workflow | undefined,
		node: INode | undefined,
	): string {
		if (typeof parameterValue !== 'string' || parameterValue.charAt(0) !== '=') {
			return parameterValue;
		}
		if (!workflow || !node) {
			throw new UnexpectedError('authenticate() needs workflow and node to resolve expressions');
		}
		const returnValue = workflow.expression.getSimpleParameterValue(
			node,
			parameterValue,
			'internal',
			additionalKeys,
			undefined,
			'',
		);
		if (!returnValue) return '';
		return returnValue.toString();
	}

	/** Same as the CLI: only credential types with a hidden `expirable` property pre-authenticate. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.getType(typeName);
		const expirable = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirable?.name === undefined || typeof credentialType.preAuthentication !== 'function') {
			return undefined;
		}
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = (await credentialType.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials) {
			await this.updateCredentials(node.credentials[typeName], typeName, {
				...credentials,
				...output,
			});
		}
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.getType(typeName);
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		return (await credentialType.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
	}

	/** The encrypted credential entity (used by OAuth token handling) does not exist here. */
	async getCredentials(): Promise<ICredentials> {
		throw new UnexpectedError(
			'getCredentials (encrypted credential entity) is not available in the test harness',
		);
	}

	/**
	 * Like the CLI's getDecrypted + applyDefaultsAndOverwrites: the stored data, with the credential
	 * properties' defaults filled in and expressions in the data resolved (no overwrites/$secrets).
	 */
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.data[type];
		if (stored === undefined) {
			throw new UnexpectedError(`No test credentials given for credential type "${type}"`);
		}
		const original = deepCopy(stored);
		if (raw === true) return original;

		let decrypted = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (original.oauthTokenData !== undefined) decrypted.oauthTokenData = original.oauthTokenData;

		if (expressionResolveValues) {
			decrypted = expressionResolveValues.workflow.expression.getParameterValue(
				decrypted as INodeParameters,
				expressionResolveValues.runExecutionData,
				expressionResolveValues.runIndex,
				expressionResolveValues.itemIndex,
				expressionResolveValues.node.name,
				expressionResolveValues.connectionInputData,
				mode,
				{},
				executeData,
				false,
				decrypted,
			) as ICredentialDataDecryptedObject;
		}
		return decrypted;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.getType(type);
		if (credentialType.extends === undefined) return credentialType.properties;
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) {
			if (this.types.has(parent)) {
				NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
			}
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data[type] = deepCopy(data);
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data[type] = { ...this.data[type], ...deepCopy(data) };
	}
}

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

// ---------------------------------------------------------------------------------------------
// pollNode
// ---------------------------------------------------------------------------------------------
//
// How n8n 2.41 decides to save static data
// ----------------------------------------
// * `new Workflow({ staticData })` wraps the (JSON-parsed) static data with n8n-workflow's
//   ObservableObject.create(): a Proxy whose `set`/`deleteProperty` traps flip a non-enumerable
//   `__dataChanged` flag on the ROOT object. Nested objects that exist at load time are wrapped
//   too (with the root as parent), so `data.cursor.n = 2` on a loaded `cursor` DOES flag a change,
//   as do `push()` on a loaded array and `delete`. `getStaticData('node')` creating the empty
//   `node:<name>` bucket does not flag (option ignoreEmptyOnFirstChild).
//   NOT tracked: objects assigned during the lifetime of the Workflow object are stored as plain
//   objects, so mutating them in place later (e.g. in a later poll of the same, still-active
//   workflow, after the flag was reset by a save) is invisible. See createPollSession().
// * Persisting is done by the CLI, never by n8n-core: WorkflowStaticDataService.saveStaticData()
//   writes `workflow.staticData` to the DB iff `__dataChanged === true`, then resets the flag.
//   With the default config (N8N_POLLER_DURABLE_CURSORS_ENABLED=false) the CLI calls it from the
//   poll context's `__emit`, i.e. only when a poll returned items; a poll that returned null
//   leaves its change in the in-memory Workflow, saved by the next emitting poll (lost on restart).
//   After an emit, the started execution saves again via the workflowExecuteAfter hook if the
//   execution changed staticData - but never for mode 'manual' (hookFunctionsSave: !isManualMode).
// * pollNode() models "one poll, then n8n persists what it noticed": in 'trigger' mode it returns
//   the deep copy iff the flag is set (also when the poll returned null, see caveat above), in
//   'manual' mode it always returns the input (manual executions never save static data).
//   createPollSession() models the exact legacy timing across several polls without restarts.
// * Not modelled: the opt-in durable-cursor path (N8N_POLLER_DURABLE_CURSORS_ENABLED + scheduler),
//   where the CLI stages a copy of the node's static data per poll (resolveNodeStaticData) and
//   persists it by value comparison (__commitCursor / runPolledWorkflow), not via __dataChanged.

function snapshot(data: IDataObject): IDataObject {
	// What a JSON column stores: drops the non-enumerable __dataChanged, Dates become strings, etc.
	return JSON.parse(JSON.stringify(data)) as IDataObject;
}

function hasChangeFlag(workflow: Workflow): boolean {
	return (workflow.staticData as IDataObject).__dataChanged === true;
}

interface PollTick {
	items: INodeExecutionData[][] | null;
	/** What the node reported with `this.__emitError` during a poll that returned. */
	reportedErrors: Error[];
}

/**
 * A PollContext's `__emitError`: the node's own reports (made while its poll() runs: a partial
 * failure it reports and goes on) are collected; a call after poll() settled is n8n's executor
 * reporting the poll's failure, kept in `failure`.
 */
function errorSink(capture: ErrorCapture) {
	const sink = {
		reported: [] as Error[],
		failure: undefined as { error: unknown } | undefined,
		emitError: (error: Error) => {
			if (capture.running === true) sink.reported.push(error);
			else sink.failure = { error };
		},
	};
	return sink;
}

/**
 * One poll of `built.workflow`. 'trigger': a real PollContext run by n8n-core's PollTriggerExecutor
 * (scheduled tick: not the activation-time test poll). `onEmit` is the CLI's __emit.
 * 'manual': what WorkflowExecute.executePollNode does.
 */
async function runPoll(
	built: BuiltWorkflow,
	mode: 'trigger' | 'manual',
	activation: WorkflowActivateMode,
	onEmit: () => void,
	pollBudgetMs?: number,
): Promise<PollTick> {
	const { workflow, node, nodeType, credentialsHelper, capture } = built;
	if (typeof nodeType.poll !== 'function') {
		throw new UnexpectedError(`Node type "${node.type}" has no poll() method`);
	}
	// No executionId: a poll runs before (and independently of) any execution.
	const additionalData = buildAdditionalData(credentialsHelper);

	const sink = errorSink(capture);
	if (mode === 'manual') {
		const context = new PollContext(workflow, node, additionalData, 'manual', 'manual', undefined, sink.emitError);
		const items = await nodeType.poll.call(context);
		return { items, reportedErrors: sink.reported };
	}

	let emitted: INodeExecutionData[][] | null = null;
	const context = new PollContext(
		workflow,
		node,
		additionalData,
		'trigger',
		activation,
		(data: INodeExecutionData[][]) => {
			emitted = data;
			onEmit();
		},
		sink.emitError,
		undefined,
		undefined,
		undefined,
		pollBudgetMs === undefined ? undefined : () => pollBudgetMs,
	);
	const executePollTrigger = Container.get(PollTriggerExecutor).create(
		workflow,
		node,
		context as IPollFunctions,
		() => true,
	);
	await executePollTrigger(false);
	if (sink.failure) throw capture.error ?? sink.failure.error;
	return { items: emitted, reportedErrors: sink.reported };
}

/**
 * Runs one poll of a polling trigger over a Workflow restored from `opts.staticData` (JSON round
 * trip, like n8n loading the workflow after a restart) and reports what n8n would persist.
 * Rejects with the node's error if the poll throws.
 */
export async function pollNode(opts: PollOptions): Promise<PollResult> {
	const mode = opts.mode ?? 'trigger';
	const input = opts.staticData ?? {};
	const built = buildWorkflow(opts, {
		withStartNode: false,
		staticData: input,
		active: mode === 'trigger',
	});
	const { items, reportedErrors } = await runPoll(built, mode, opts.activation ?? 'activate', () => {}, opts.pollBudgetMs);

	const staticDataChanged = hasChangeFlag(built.workflow);
	const persisted = staticDataChanged && mode === 'trigger';
	const inMemoryStaticData = snapshot(built.workflow.staticData);
	return {
		items,
		staticData: persisted ? inMemoryStaticData : input,
		staticDataChanged,
		persisted,
		inMemoryStaticData,
		reportedErrors,
	};
}

export interface PollSession {
	/** One scheduled poll on the same live Workflow object (no restart in between). */
	poll(): Promise<PollResult>;
	/** Simulates an n8n restart: reloads the Workflow from what was persisted so far. */
	restart(): void;
	/** What the DB holds now (WorkflowStaticDataService writes). */
	readonly persistedStaticData: IDataObject;
}

/**
 * Several polls of an ACTIVE workflow without restarts, with the CLI's exact legacy timing:
 * the Workflow object (and its ObservableObject static data) lives across polls; when a poll emits
 * items, the CLI's `__emit` runs `saveStaticData(workflow)`: write iff `__dataChanged`, then reset
 * the flag. A poll returning null writes nothing (its change stays in memory).
 * `PollResult.persisted` is true when this poll caused a write.
 */
export function createPollSession(opts: Omit<PollOptions, 'mode'>): PollSession {
	let persistedStaticData: IDataObject = snapshot(opts.staticData ?? {});
	const load = () =>
		buildWorkflow(opts, { withStartNode: false, staticData: persistedStaticData, active: true });
	let built = load();

	return {
		async poll() {
			let wrote = false;
			const saveStaticData = () => {
				const staticData = built.workflow.staticData as IDataObject;
				if (staticData.__dataChanged === true) {
					persistedStaticData = snapshot(staticData);
					staticData.__dataChanged = false;
					wrote = true;
				}
			};
			built.capture.error = undefined;
			const { items, reportedErrors } = await runPoll(built, 'trigger', opts.activation ?? 'activate', saveStaticData, opts.pollBudgetMs);
			return {
				items,
				staticData: persistedStaticData,
				staticDataChanged: hasChangeFlag(built.workflow) || wrote,
				persisted: wrote,
				inMemoryStaticData: snapshot(built.workflow.staticData),
				reportedErrors,
			};
		},
		restart() {
			built = load();
		},
		get persistedStaticData() {
			return persistedStaticData;
		},
	};
}

// ---------------------------------------------------------------------------------------------
// Durable scheduler with durable poll cursors (n8n 2.36+)
// ---------------------------------------------------------------------------------------------

export interface DurableTick {
	items: INodeExecutionData[][] | null;
	/** The cursor row n8n holds for the node after this tick (poller_state.cursor). */
	cursor: IDataObject | null;
	/** What the node reported with `this.__emitError` during a poll that returned. */
	reportedErrors: Error[];
}

export interface DurablePollSession {
	/** Activation: `executePollTrigger(true)` on a staged cursor, then the activator's saveStaticData. */
	activate(): Promise<DurableTick>;
	/** One scheduled tick (PollTriggerTaskHandler): fresh Workflow from the DB, staged cursor. */
	tick(): Promise<DurableTick>;
	/** What workflow_entity.staticData holds. */
	readonly workflowStaticData: IDataObject;
	readonly cursor: IDataObject | null;
}

/**
 * The path n8n 2.41.1 takes with N8N_SCHEDULER_ENABLED, N8N_SCHEDULER_POLL_TRIGGERS_ENABLED,
 * N8N_USE_WORKFLOW_PUBLICATION_SERVICE and N8N_POLLER_DURABLE_CURSORS_ENABLED, modelled on
 * packages/cli's TriggerExecutionContextFactory.getExecutePollFunctions, PollCursorService and
 * PollTriggerTaskHandler: the node's static data is a deep copy of the `poller_state` row (created
 * from the node's static data the first time), committed when it changed — with the execution when
 * the poll emits, alone when it does not — and never for the activation poll (a test poll). Global
 * static data is the live workflow's and is saved by the activation and when a poll emits.
 */
export function createDurablePollSession(opts: Omit<PollOptions, 'mode'> & { pollBudgetMs?: number }): DurablePollSession {
	let workflowStaticData: IDataObject = snapshot(opts.staticData ?? {});
	let cursor: IDataObject | null = null;

	async function run(testingTrigger: boolean, activation: WorkflowActivateMode): Promise<DurableTick> {
		const built = buildWorkflow(opts, { withStartNode: false, staticData: workflowStaticData, active: true });
		const { workflow, node, credentialsHelper, capture } = built;
		const saveStaticData = () => {
			const data = workflow.staticData as IDataObject;
			if (data.__dataChanged === true) {
				workflowStaticData = snapshot(data);
				data.__dataChanged = false;
			}
		};
		// __runPoll: getOrCreateCursor(seed = the node's static data), staged as a deep copy.
		if (cursor === null) cursor = snapshot(workflow.getStaticData('node', node));
		const staged = { snapshot: snapshot(cursor), seed: cursor };
		const takeStaged = () => {
			if (JSON.stringify(staged.snapshot) === JSON.stringify(staged.seed)) return null;
			staged.seed = snapshot(staged.snapshot);
			return staged.seed;
		};
		let emitted: INodeExecutionData[][] | null = null;
		const sink = errorSink(capture);
		const context = new PollContext(
			workflow,
			node,
			buildAdditionalData(credentialsHelper),
			'trigger',
			activation,
			(data: INodeExecutionData[][]) => {
				emitted = data;
				const advanced = takeStaged();
				saveStaticData();
				if (advanced) cursor = advanced; // committed in one transaction with the execution
			},
			sink.emitError,
			async () => {
				const advanced = takeStaged();
				if (advanced) cursor = advanced;
			},
			async (poll) => await poll(),
			() => staged.snapshot,
			// 45 s scheduler timeout minus n8n's margin; the activation poll gets PollContext's default.
			testingTrigger ? undefined : () => opts.pollBudgetMs ?? 36_000,
		);
		capture.error = undefined;
		try {
			await Container.get(PollTriggerExecutor).create(workflow, node, context as IPollFunctions, () => true)(testingTrigger);
		} catch (error) {
			throw capture.error ?? error;
		}
		if (sink.failure) throw capture.error ?? sink.failure.error;
		if (testingTrigger) saveStaticData();
		return { items: emitted, cursor, reportedErrors: sink.reported };
	}

	return {
		activate: async () => await run(true, opts.activation ?? 'activate'),
		tick: async () => await run(false, 'update'),
		get workflowStaticData() {
			return workflowStaticData;
		},
		get cursor() {
			return cursor;
		},
	};
}

// ---------------------------------------------------------------------------------------------
// loadOptions / listSearch
// ---------------------------------------------------------------------------------------------

export interface LoadOptionsOptions extends CommonOptions {
	/** Name of a method in `nodeType.methods.listSearch` (tried first) or `.loadOptions`. */
	method: string;
	/** listSearch only. */
	filter?: string;
	/** listSearch only. */
	paginationToken?: string;
	/** Parameter path the editor asks for, e.g. 'parameters.chatbotId'. */
	path?: string;
}

/**
 * Calls a listSearch / loadOptions method through n8n-core's real LoadOptionsContext, built like
 * the CLI's DynamicNodeParametersService (one-node workflow, additionalData.currentNodeParameters
 * = the node's current parameters).
 */
export async function loadOptions(
	opts: LoadOptionsOptions,
): Promise<INodeListSearchResult | INodePropertyOptions[]> {
	const built = buildWorkflow(opts, { withStartNode: false, active: false });
	const { workflow, node, nodeType, credentialsHelper } = built;
	const additionalData = buildAdditionalData(credentialsHelper, {
		currentNodeParameters: node.parameters,
	});
	const context = new LoadOptionsContext(workflow, node, additionalData, opts.path ?? 'parameters');

	const listSearch = nodeType.methods?.listSearch?.[opts.method];
	if (listSearch) return await listSearch.call(context, opts.filter, opts.paginationToken);
	const loadOptionsMethod = nodeType.methods?.loadOptions?.[opts.method];
	if (loadOptionsMethod) return await loadOptionsMethod.call(context);
	throw new UnexpectedError(`Node type has no listSearch/loadOptions method "${opts.method}"`);
}

// ---------------------------------------------------------------------------------------------
// Credential test (ports the CLI's CredentialsTester.runRequestTest for declarative tests)
// ---------------------------------------------------------------------------------------------

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

type CaughtRequestError = Error & { cause?: { response?: { status: number; statusText?: string }; code?: string } };

/**
 * Runs a credential type's `test` request the way n8n's "Test" button does: n8n-core's RoutingNode
 * over a temporary node whose one property routes the test request, then the same rule handling
 * (responseCode rules on an HTTP error, responseSuccessBody rules on success).
 */
export async function testCredential(opts: {
	credentialTypes: ICredentialType[];
	credentialType: string;
	data: ICredentialDataDecryptedObject;
}): Promise<CredentialTestResult> {
	bootstrapN8nCore();
	const credentialType = opts.credentialTypes.find((type) => type.name === opts.credentialType);
	const testRequest = credentialType?.test;
	if (!testRequest) return { status: 'Error', message: 'No testing function found for this credential.' };

	const nodeTypeCopy: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'credentialTestNode',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: opts.credentialType, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' }],
		},
	};
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: 'credentialTestNode',
		typeVersion: 1,
		position: [0, 0],
		credentials: { [opts.credentialType]: { id: 'cred-test', name: 'under test' } },
	};
	const capture: ErrorCapture = {};
	const nodeTypes = new TestNodeTypes(capture);
	nodeTypes.add('credentialTestNode', nodeTypeCopy);
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const credentialsHelper = new TestCredentialsHelper(opts.credentialTypes, { [opts.credentialType]: opts.data });
	const additionalData = buildAdditionalData(credentialsHelper, { currentNodeParameters: node.parameters });
	const executeData: IExecuteData = { node, data: {}, source: null };
	const context = new ExecuteContext(workflow, node, additionalData, 'internal', createEmptyRunExecutionData(), 0, [], { main: [[{ json: {} }]] }, executeData, []);
	const credentialsDecrypted = { id: 'cred-test', name: 'under test', type: opts.credentialType, data: opts.data };
	let response: INodeExecutionData[][] | null | undefined;
	try {
		await workflow.expression.acquireIsolate();
		response = await new RoutingNode(context, nodeTypeCopy, credentialsDecrypted).runNode();
	} catch (caught) {
		const error = caught as CaughtRequestError;
		if (error.cause?.response) {
			const { status, statusText } = error.cause.response;
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === status) return { status: 'Error', message: rule.properties.message };
			}
			if (status < 199 || status > 299) return { status: 'Error', message: statusText || `Received HTTP status code: ${status}` };
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: String(error.message) };
	} finally {
		await workflow.expression.releaseIsolate();
	}
	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const body = (response?.[0]?.[0]?.json ?? {}) as IDataObject;
			if (body[rule.properties.key] === rule.properties.value) return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/**
 * Resolves an expression against the node, as the editor does for a node's subtitle (the node's
 * own parameters are `$parameter`).
 */
export async function resolveNodeExpression(opts: CommonOptions, expression: string): Promise<unknown> {
	const { workflow, node } = buildWorkflow(opts, { withStartNode: false, active: false });
	await workflow.expression.acquireIsolate();
	try {
		return workflow.expression.getSimpleParameterValue(node, expression, 'internal', {});
	} finally {
		await workflow.expression.releaseIsolate();
	}
}
