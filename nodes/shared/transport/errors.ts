import type { Failure, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { LeadQuery } from '../lead/types';
import type { LeadProvider } from '../vendors/types';

/**
 * A token after "Bearer" that looks like a credential: digits or symbols in it, or long. Plain
 * words stay ("missing a valid bearer token.").
 */
const ECHOED_TOKEN = /(Bearer\s+)(?=[^\s"',;}]*[^A-Za-z\s"',;}.]|[A-Za-z]{16,})[^\s"',;}]+/gi;

/** Keys shorter than this are not searched for: they would match ordinary text. */
const MIN_SECRET_LENGTH = 4;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The key as it may come back: trimmed, with inner whitespace removed, collapsed or broken over
 * lines, or URL-encoded (hex in either case, spaces also as +).
 */
function secretPattern(trimmed: string): RegExp {
	const plain = trimmed.split(/\s+/).map(escapeRegExp).join('\\s*');
	const encoded = encodeURIComponent(trimmed);
	const encodedForms = [encoded, encoded.replace(/%20/g, '+')].map((form) =>
		escapeRegExp(form).replace(/%([0-9A-F]{2})/g, (_match, hex: string) => `%(?:${hex}|${hex.toLowerCase()})`),
	);
	return new RegExp([plain, ...encodedForms].join('|'), 'g');
}

/** Removes the API key (in any form), and any bearer token a server echoed back, from text shown to users. */
export function redact(text: string, secret?: string): string {
	const clean = text.replace(ECHOED_TOKEN, '$1[redacted]');
	const trimmed = secret?.trim() ?? '';
	if (trimmed.length < MIN_SECRET_LENGTH) return clean;
	return clean.replace(secretPattern(trimmed), '[redacted]');
}

export interface FailureContext {
	provider: LeadProvider;
	query?: LeadQuery;
	attempts: number;
	secret?: string;
}

function idHint(ctx: FailureContext): string {
	const { provider, query } = ctx;
	const id = query ? ` "${query.chatbotId}"` : '';
	// The provider's own parameters (Robofy's project) narrow where the chatbot was looked for.
	const within = (provider.properties ?? [])
		.filter((property) => query?.params[property.name] !== undefined)
		.map((property) => ` in ${property.displayName.toLowerCase()} "${String(query?.params[property.name])}"`)
		.join('');
	return `no ${provider.chatbotLabel}${id}${within}`;
}

/** What happened and how to fix it, for an HTTP status a vendor answered with. */
export function statusMessage(status: number, ctx: FailureContext): string {
	const vendor = ctx.provider.displayName;
	const tries = ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : '';
	if (status === 401) {
		return `${vendor} rejected the API key (HTTP 401). Check the API key in your ${vendor} credential: it must be a valid ${vendor} key.`;
	}
	if (status === 403) {
		return `${vendor} refused access (HTTP 403). The API key works but may not have access to this ${ctx.provider.chatbotLabel}; check it belongs to the same account.`;
	}
	if (status === 404) {
		const others = (ctx.provider.properties ?? []).map((property) => ` and the ${property.displayName.toLowerCase()}`).join('');
		return `${vendor} found ${idHint(ctx)} (HTTP 404). Check the ${ctx.provider.chatbotLabel} ID${others}.`;
	}
	if (status === 400) {
		return `${vendor} rejected the request (HTTP 400). Check the Start Date and End Date filters: real dates, start not after end.`;
	}
	if (status === 429) {
		return `Rate limited by ${vendor}${tries}. Lower the poll frequency or try again later.`;
	}
	if (status >= 500) {
		return `${vendor} had a server error (HTTP ${status})${tries}. This is usually temporary: try again later.`;
	}
	return `${vendor} answered with HTTP ${status}${tries}.`;
}

/** A NodeApiError built only from text we chose: never the raw HTTP error, which holds the request headers. */
export function vendorApiError(
	node: INode,
	message: string,
	ctx: FailureContext,
	details: { httpCode?: number; vendorText?: string; description?: string; failure?: Failure } = {},
): NodeApiError {
	const safeMessage = redact(message, ctx.secret);
	const description = details.vendorText
		? `${ctx.provider.displayName} said: ${redact(details.vendorText, ctx.secret).slice(0, 500)}`
		: details.description;
	const response: JsonObject = { message: safeMessage };
	if (details.httpCode !== undefined) response.httpCode = String(details.httpCode);
	return new NodeApiError(node, response, {
		message: safeMessage,
		description,
		httpCode: details.httpCode === undefined ? undefined : String(details.httpCode),
		// Read by n8n's poll back-off (a 429's wait is honoured); older n8n ignores it.
		failure: details.failure,
	});
}
