/** The editor's calls: loadOptions / listSearch methods, the credential test, and resolving a node expression. */

import { ExecuteContext, LoadOptionsContext, RoutingNode } from 'n8n-core';
import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, IExecuteData, INode, INodeExecutionData, INodeListSearchResult, INodePropertyOptions, INodeType } from 'n8n-workflow';
import { createEmptyRunExecutionData, UnexpectedError, Workflow } from 'n8n-workflow';

import { CommonOptions } from './types';
import { buildWorkflow, buildAdditionalData } from './workflow';
import { bootstrapN8nCore } from './bootstrap';
import { ErrorCapture, TestNodeTypes } from './nodeTypes';
import { TestCredentialsHelper } from './credentials';

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
