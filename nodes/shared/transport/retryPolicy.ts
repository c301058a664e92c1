import type { Failure, IDataObject } from 'n8n-workflow';

import type { RequestSettings } from './request';

// When to try a request again, how long to wait, and how to read what came back.

export interface RawResponse {
	statusCode: number;
	headers: IDataObject;
	body: string;
}

export type Attempt = { response: RawResponse } | { networkError: string };

export const TIMEOUT_CODES = ['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'];
/** A connection that broke mid-way, or a body cut short: worth another try. */
export const BROKEN_CODES = ['ECONNRESET', 'EPIPE', 'ERR_BAD_RESPONSE', 'ERR_STREAM_PREMATURE_CLOSE', 'EAI_AGAIN'];
const RETRYABLE_NETWORK = [...TIMEOUT_CODES, ...BROKEN_CODES];

export function errorCode(error: unknown): string {
	const err = error as { code?: unknown; cause?: { code?: unknown } };
	const code = err?.code ?? err?.cause?.code;
	return typeof code === 'string' ? code : 'UNKNOWN';
}

/** Seconds or an HTTP date in Retry-After; X-RateLimit-Reset as epoch seconds or seconds from now. */
export function serverDelayMs(headers: IDataObject, now = Date.now()): number | undefined {
	const header = (name: string) => {
		const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
		return key === undefined ? undefined : String(headers[key]);
	};
	const retryAfter = header('retry-after');
	if (retryAfter !== undefined) {
		const seconds = Number(retryAfter);
		if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
		const date = Date.parse(retryAfter);
		if (!Number.isNaN(date)) return Math.max(0, date - now);
	}
	const reset = Number(header('x-ratelimit-reset'));
	if (Number.isFinite(reset) && reset > 0) {
		return reset > 1e9 ? Math.max(0, reset * 1000 - now) : reset * 1000;
	}
	return undefined;
}

export function backoffMs(settings: RequestSettings, attempt: number): number {
	const exponential = settings.retryBaseDelayMs * 2 ** attempt;
	return Math.round(exponential * (0.5 + Math.random() * 0.5));
}

/** Why a request failed, in the terms n8n's poll back-off reads (n8n-workflow 2.37+; ignored before). */
export function failureFor(status: number, serverDelay: number | undefined): Failure | undefined {
	if (status === 429) return serverDelay ? { cause: 'rate-limited', retryAfterMs: serverDelay } : { cause: 'rate-limited' };
	if (status >= 500) return { cause: 'temporarily-unavailable' };
	if (status === 401) return { cause: 'credential-invalid' };
	return undefined;
}

export function isRetryable(attempt: Attempt): boolean {
	if ('networkError' in attempt) return RETRYABLE_NETWORK.includes(attempt.networkError);
	const status = attempt.response.statusCode;
	return status === 429 || status >= 500;
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; why: string } {
	const trimmed = text.trim();
	if (trimmed === '') return { ok: false, why: 'an empty response' };
	if (trimmed.startsWith('<')) return { ok: false, why: 'an HTML page instead of JSON (often a proxy or gateway error page)' };
	try {
		return { ok: true, value: JSON.parse(trimmed) };
	} catch {
		return { ok: false, why: 'a response that is not valid JSON (it may have been cut off)' };
	}
}
