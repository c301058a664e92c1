import type { ICredentialsDecrypted, ICredentialTestFunctions, IDataObject, INodeCredentialTestResult, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readProvider } from '../shared/parameters/params';
import type { LeadProvider, LeadWebhook } from '../shared/vendors/types';

/** The Instant Trigger's Authentication: the vendor's API credential, or a credential holding only the secret. */
export const WEBHOOK_SECRET_AUTH = 'webhookSecret';
export const WEBHOOK_SECRET_CREDENTIAL = 'chatbotLeadsWebhookApi';

export interface InstantSettings {
	provider: LeadProvider;
	webhook: LeadWebhook;
	/** Only events of this chatbot; empty: every chatbot of the account. */
	chatbotId: string;
	includeRaw: boolean;
	includeOtherEvents: boolean;
	secret: string;
}

/** Where the trigger keeps the ids of the events it emitted (see receivedEvents.ts). */
export const STATE_KEY = 'receivedEvents';

export async function readSettings(ctx: IWebhookFunctions): Promise<InstantSettings> {
	const node = ctx.getNode();
	const provider = readProvider(node, 0, ctx.getNodeParameter('provider', ''));
	if (!provider.webhook) {
		throw new NodeOperationError(
			node,
			`${provider.displayName} sends no lead webhooks. Use the Chatbot Leads Trigger, which polls its API, instead.`,
		);
	}
	const chatbot = ctx.getNodeParameter('chatbotId', '', { extractValue: true });
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const secretOnly = ctx.getNodeParameter('authentication', 'apiCredential') === WEBHOOK_SECRET_AUTH;
	const credentials = await ctx.getCredentials(secretOnly ? WEBHOOK_SECRET_CREDENTIAL : provider.credentialType);
	return {
		provider,
		webhook: provider.webhook,
		chatbotId: typeof chatbot === 'string' || typeof chatbot === 'number' ? String(chatbot).trim() : '',
		includeRaw: options.includeRaw === true,
		includeOtherEvents: options.includeOtherEvents === true,
		secret: typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret.trim() : '',
	};
}

/**
 * The Webhook Secret Only credential's test: there is no vendor API to ask, so it checks what it
 * can, that a secret is set (without one, anyone who knows the URL can send leads).
 */
export async function webhookSecretCheck(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const secret = credential.data?.webhookSecret;
	if (typeof secret === 'string' && secret.trim() !== '') {
		return { status: 'OK', message: 'A secret is set. It is checked against each webhook request: a wrong one shows as HTTP 401 in the vendor\'s delivery log.' };
	}
	return {
		status: 'Error',
		message: "No Webhook Signing Secret: anyone who knows the webhook URL could send leads. Paste the secret your vendor's webhook settings show (you can still save without one).",
	};
}

