import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isValidTimeZone } from '../lead/time';

const DAY = /^(\d{4})-(\d{2})-(\d{2})/;

function fail(node: INode, itemIndex: number, message: string, description?: string): never {
	throw new NodeOperationError(node, message, { itemIndex, description });
}

/**
 * An ID that goes into a URL. Characters that could change the request's path or query are
 * refused here, before any request (and encoded anyway when building the URL).
 */
export function checkId(node: INode, itemIndex: number, field: string, value: unknown): string {
	const id = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (id === '') {
		fail(node, itemIndex, `${field} is empty. Pick one from the list or paste its ID.`);
	}
	const bad = /[/?#\\\s]|\.\./.exec(id);
	if (bad) {
		fail(
			node,
			itemIndex,
			`${field} "${id}" contains "${bad[0].trim() || 'a space'}", which an ID never does. Paste only the ID itself, not a URL or path.`,
		);
	}
	return id;
}

/** A date parameter as `YYYY-MM-DD`, or undefined when empty. Only the date part is used. */
export function checkDay(node: INode, itemIndex: number, field: string, value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = typeof value === 'string' ? value.trim() : String(value);
	const match = DAY.exec(text);
	const day = match ? `${match[1]}-${match[2]}-${match[3]}` : '';
	const parsed = match ? new Date(`${day}T00:00:00.000Z`) : undefined;
	if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) {
		fail(node, itemIndex, `${field} "${text}" is not a date. Use the YYYY-MM-DD format, e.g. 2026-10-01.`);
	}
	return day;
}

export function checkRange(node: INode, itemIndex: number, start?: string, end?: string): void {
	if (start && end && end < start) {
		fail(node, itemIndex, `End Date ${end} is before Start Date ${start}. Swap them, or clear one.`);
	}
}

export function checkLimit(node: INode, itemIndex: number, value: unknown): number {
	const limit = Number(value);
	if (!Number.isInteger(limit) || limit < 1) {
		fail(node, itemIndex, `Limit must be a whole number of at least 1 (got ${String(value)}). Or turn on Return All.`);
	}
	return limit;
}

export function checkTimeZone(node: INode, itemIndex: number, value: unknown): string {
	const zone = typeof value === 'string' && value.trim() !== '' ? value.trim() : 'UTC';
	if (!isValidTimeZone(zone)) {
		fail(node, itemIndex, `Time Zone "${zone}" is not an IANA time zone name. Use e.g. UTC or Europe/Berlin.`);
	}
	return zone;
}

/** The workflow's time zone (n8n's Timezone setting), for reading typed dates; undefined stays UTC. */
export function checkWorkflowZone(node: INode, itemIndex: number, value: unknown): string | undefined {
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	if (!isValidTimeZone(value.trim())) {
		fail(node, itemIndex, `The workflow's Timezone setting "${value}" is not an IANA time zone name. Pick one in the workflow's settings.`);
	}
	return value.trim();
}

export function checkPositive(node: INode, itemIndex: number, field: string, value: unknown, min = 1): number {
	const number = Number(value);
	if (!Number.isFinite(number) || number < min) {
		fail(node, itemIndex, `${field} must be a number of at least ${min} (got ${String(value)}).`);
	}
	return number;
}
