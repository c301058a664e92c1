import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { redact, statusMessage, vendorApiError, type FailureContext } from './errors';
import { backoffMs, BROKEN_CODES, errorCode, failureFor, isRetryable, parseJson, serverDelayMs, TIMEOUT_CODES, type Attempt } from './retryPolicy';
import type { LeadQuery } from '../lead/types';
import type { LeadProvider, VendorRequest } from '../vendors/types';

export type RequestContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

export interface RequestSettings {
	timeoutMs: number;
	maxRetries: number;
	retryBaseDelayMs: number;
	/** Upper bound on the time spent waiting between retries of one request. */
	maxRetryWaitMs: number;
	/** Host time by which every request must be done (a trigger's poll budget); none: no limit. */
	deadlineMs?: number;
}

export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
	timeoutMs: 30_000,
	maxRetries: 3,
	retryBaseDelayMs: 1_000,
	maxRetryWaitMs: 60_000,
};

/** Errors that only say the poll's time budget ran out (not the vendor's fault). */
const budgetErrors = new WeakSet<Error>();

export function isBudgetSpent(error: unknown): boolean {
	return error instanceof Error && budgetErrors.has(error);
}

/** Below this much time left before the deadline, no new request is started. */
const MIN_REQUEST_MS = 500;

export interface VendorClient {
	provider: LeadProvider;
	/** GETs a vendor path and returns the parsed JSON body of a successful answer. */
	get(request: VendorRequest, query?: LeadQuery, signal?: AbortSignal): Promise<unknown>;
	/** Requests sent so far, retries included. */
	requestCount(): number;
	/** A NodeApiError about this vendor, with the key redacted. */
	fail(message: string, query?: LeadQuery, vendorText?: string): Error;
}

function checkBaseUrl(ctx: RequestContext, provider: LeadProvider, value: unknown): string {
	const text = typeof value === 'string' ? value.trim() : '';
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || !['http:', 'https:'].includes(url.protocol)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The Base URL in your ${provider.displayName} credential is not an http(s) URL. Set it to the vendor's API address (the default is filled in when you create the credential).`,
		);
	}
	return text.replace(/\/+$/, '');
}

export async function createVendorClient(
	ctx: RequestContext,
	provider: LeadProvider,
	settings: RequestSettings = DEFAULT_REQUEST_SETTINGS,
): Promise<VendorClient> {
	const credentials = await ctx.getCredentials(provider.credentialType);
	const baseUrl = checkBaseUrl(ctx, provider, credentials.baseUrl);
	// Trimmed as the credential's Authorization header sends it; redact() also finds the other forms.
	const secret = typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : undefined;
	let requests = 0;

	async function send(request: VendorRequest, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
		const options: IHttpRequestOptions = {
			method: 'GET',
			url: `${baseUrl}${request.path}`,
			qs: request.qs,
			headers: { Accept: 'application/json' },
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeoutMs,
			abortSignal: signal,
		};
		requests++;
		try {
			const response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				provider.credentialType,
				options,
			)) as { statusCode: number; headers: IDataObject; body: unknown };
			const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
			return { response: { statusCode: response.statusCode, headers: response.headers ?? {}, body } };
		} catch (error) {
			// The raw error carries the request's headers (the key): keep only its code.
			return { networkError: errorCode(error) };
		}
	}

	/** In words: n8n replaces any error message that contains a raw code such as ECONNRESET. */
	function networkMessage(code: string, attempts: number): string {
		const vendor = provider.displayName;
		const tries = attempts > 1 ? ` (tried ${attempts} times)` : '';
		const checkUrl = `Check the Base URL in your ${vendor} credential and the network.`;
		if (TIMEOUT_CODES.includes(code)) {
			return `${vendor} did not answer within ${settings.timeoutMs / 1000} s${tries}. Try again later, or raise the Timeout option.`;
		}
		if (BROKEN_CODES.includes(code)) {
			return `${vendor} closed the connection before its answer was complete${tries}. This is usually temporary: try again later.`;
		}
		const host = new URL(baseUrl).host;
		if (code === 'ECONNREFUSED') return `Nothing accepted the connection at ${host}. ${checkUrl}`;
		if (code === 'ENOTFOUND') return `The host ${host} could not be found. ${checkUrl}`;
		return `Could not reach ${vendor} at ${host}. ${checkUrl}`;
	}

	function failure(attempt: Attempt, ctxInfo: FailureContext, serverDelay?: number): Error {
		if ('networkError' in attempt) {
			return vendorApiError(ctx.getNode(), networkMessage(attempt.networkError, ctxInfo.attempts), ctxInfo, {
				failure: { cause: 'temporarily-unavailable' },
			});
		}
		const { statusCode, body } = attempt.response;
		const parsed = parseJson(body);
		const vendorText = parsed.ok ? provider.errorText(parsed.value) : body.trim().slice(0, 200) || undefined;
		return vendorApiError(ctx.getNode(), statusMessage(statusCode, ctxInfo), ctxInfo, {
			httpCode: statusCode,
			vendorText,
			failure: failureFor(statusCode, serverDelay),
		});
	}

	/** The time a request may take: the Timeout option, cut to what is left of the poll's budget. */
	function requestTimeout(info: FailureContext): number {
		if (settings.deadlineMs === undefined) return settings.timeoutMs;
		const left = settings.deadlineMs - Date.now();
		if (left < MIN_REQUEST_MS) throw budgetSpent(info);
		return Math.min(settings.timeoutMs, left);
	}

	function budgetSpent(info: FailureContext): Error {
		const vendor = provider.displayName;
		const error = vendorApiError(
			ctx.getNode(),
			`The poll reached n8n's time limit for one poll before ${vendor} answered, after ${requests} request${requests === 1 ? '' : 's'}. Nothing of this chatbot was lost: the next poll reads from where this one stopped.`,
			info,
			{
				vendorText: undefined,
				description: `${vendor} answered too slowly, or asked to wait too long, for one poll. If this keeps happening, lower the Timeout or Max Retry Wait options, or raise N8N_SCHEDULER_POLL_TIMEOUT on the n8n server.`,
				failure: { cause: 'temporarily-unavailable' },
			},
		);
		budgetErrors.add(error);
		return error;
	}

	async function get(request: VendorRequest, query?: LeadQuery, signal?: AbortSignal): Promise<unknown> {
		let waited = 0;
		for (let attempt = 0; ; attempt++) {
			const info: FailureContext = { provider, query, attempts: attempt + 1, secret };
			const timeoutMs = requestTimeout(info);
			const result = await send(request, timeoutMs, signal);
			if ('response' in result && provider.successStatuses.includes(result.response.statusCode)) {
				const parsed = parseJson(result.response.body);
				if (parsed.ok) return parsed.value;
				throw vendorApiError(ctx.getNode(), `${provider.displayName} sent ${parsed.why}.`, info, {
					httpCode: result.response.statusCode,
				});
			}
			// A request cut short by the poll's budget, not by the Timeout option.
			if ('networkError' in result && TIMEOUT_CODES.includes(result.networkError) && timeoutMs < settings.timeoutMs) throw budgetSpent(info);
			const serverDelay = 'response' in result ? serverDelayMs(result.response.headers) : undefined;
			const delay = serverDelay ?? backoffMs(settings, attempt);
			const canRetry = attempt < settings.maxRetries && waited + delay <= settings.maxRetryWaitMs && fitsDeadline(delay);
			if (!isRetryable(result) || !canRetry || signal?.aborted) throw failure(result, info, serverDelay);
			waited += delay;
			await sleep(delay);
		}
	}

	/** Whether a retry after `delay` still leaves time for the request before the deadline. */
	function fitsDeadline(delay: number): boolean {
		return settings.deadlineMs === undefined || Date.now() + delay + MIN_REQUEST_MS <= settings.deadlineMs;
	}

	const fail = (message: string, query?: LeadQuery, vendorText?: string) =>
		vendorApiError(ctx.getNode(), message, { provider, query, attempts: 1, secret }, { vendorText });

	return { provider, get, requestCount: () => requests, fail };
}

export { redact };
