/** What the harness takes and returns: credentials, node run and poll options, a poll's result. */

import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, INodeExecutionData, INodeParameters, INodeType, IVersionedNodeType, WorkflowActivateMode, WorkflowExecuteMode } from 'n8n-workflow';

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
