/** The node types a test workflow knows: the node under test (errors captured) and a Manual Trigger stub. */

import { commonPollingParameters } from 'n8n-core/dist/nodes-loader/constants';
import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers, UnexpectedError } from 'n8n-workflow';

// ---------------------------------------------------------------------------------------------
// Node types ("loading" like n8n-core's DirectoryLoader, without mutating our instances)
// ---------------------------------------------------------------------------------------------

const PACKAGE_NAME = 'n8n-nodes-chatbot-leads';

export const START_NODE_TYPE = 'n8n-nodes-base.manualTrigger';

export const START_NODE_NAME = 'When clicking ‘Execute workflow’';

export const WORKFLOW_ID = 'harnessWf01';
 // passes the CLI's isWorkflowIdValid()

/** Minimal stand-in for n8n-nodes-base.manualTrigger: emits the items it is started with. */
export class ManualTriggerStub implements INodeType {
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
export interface ErrorCapture {
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

export class TestNodeTypes implements INodeTypes {
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

export function describeNodeType(nodeType: INodeType | IVersionedNodeType, typeVersion?: number) {
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
