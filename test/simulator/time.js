'use strict';

/** Times and query values: every vendor's created_at, whole-day ranges, positive integers. */

function toDate(value, what = 'createdAt') {
	const date = value instanceof Date ? new Date(value.getTime()) : new Date(parseTimestamp(value));
	if (Number.isNaN(date.getTime())) throw new Error(`Invalid ${what}: ${String(value)}`);
	return date;
}

/**
 * Parses every vendor's created_at: ISO with Z, "+00:00" with microseconds, and Robofy's
 * zone-less "YYYY-MM-DD HH:MM:SS" (UTC wall time). NaN when unparseable.
 */
function parseTimestamp(value) {
	if (value instanceof Date) return value.getTime();
	if (typeof value === 'number') return value;
	let text = String(value).trim().replace(' ', 'T');
	text = text.replace(/(\.\d{3})\d+/, '$1');
	if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += 'Z';
	return Date.parse(text);
}

const isoSeconds = (date) => date.toISOString().slice(0, 19);

/** Parses a YYYY-MM-DD day; undefined when absent, NaN when invalid, else UTC midnight in ms. */
function parseDay(value) {
	if (value === undefined || value === '') return undefined;
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
	if (!m) return NaN;
	const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
	return new Date(ms).toISOString().slice(0, 10) === value ? ms : NaN;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Both bounds inclusive whole UTC days. Returns { startMs, endMs } or { error: paramName | 'order' }. */
function parseDayRange(start, end, names) {
	const startMs = parseDay(start);
	const endMs = parseDay(end);
	if (Number.isNaN(startMs)) return { error: `Invalid ${names[0]}` };
	if (Number.isNaN(endMs)) return { error: `Invalid ${names[1]}` };
	if (startMs !== undefined && endMs !== undefined && startMs > endMs) {
		return { error: `${names[0]} must not be after ${names[1]}` };
	}
	return { startMs, endMs: endMs === undefined ? undefined : endMs + DAY_MS };
}

/** A positive integer query value; `fallback` when absent, NaN when invalid. */
function parsePositiveInt(value, fallback) {
	if (value === undefined || value === '') return fallback;
	if (!/^\d+$/.test(String(value))) return NaN;
	const n = Number(value);
	return n >= 1 ? n : NaN;
}

module.exports = { toDate, parseTimestamp, isoSeconds, parseDay, parseDayRange, parsePositiveInt, DAY_MS };
