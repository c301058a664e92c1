/** The credentials helper n8n-core asks for credentials: test data, authentication and expressions as n8n applies them. */

import type { IAuthenticateGeneric, ICredentialDataDecryptedObject, ICredentials, ICredentialsExpressionResolveValues, ICredentialType, IExecuteData, IHttpRequestHelper, IHttpRequestOptions, INode, INodeCredentialsDetails, INodeParameters, INodeProperties, IRequestOptionsSimplified, IWorkflowDataProxyAdditionalKeys, IWorkflowExecuteAdditionalData, WorkflowExecuteMode } from 'n8n-workflow';
import { deepCopy, ICredentialsHelper, NodeHelpers, UnexpectedError, Workflow } from 'n8n-workflow';

import { TestCredentials } from './types';

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
