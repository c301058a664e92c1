'use strict';

/** Vendor options: their checks, and the options a simulator is created with. */

const { DEFAULT_OPTIONS, VENDORS, assertVendor, perVendor, pluginOf } = require('./vendors');

const oneOf = (...values) => (v) => values.includes(v) || `must be one of ${values.join(', ')}`;
const positiveInt = (v) => (Number.isInteger(v) && v > 0) || v === Infinity || 'must be a positive integer';
const nonNegative = (v) => (typeof v === 'number' && v >= 0 && Number.isFinite(v)) || 'must be a number >= 0';

const OPTION_CHECKS = {
	order: oneOf('desc', 'asc', 'random'),
	maxPageSize: positiveInt,
	latencyMs: nonNegative,
	defaultPageSize: positiveInt,
	envelope: oneOf('array', 'data'),
	timestampStyle: oneOf('iso', 'postgres'),
	total: oneOf('all', 'filtered'),
	pageSize: positiveInt,
	emptyTokenStyle: oneOf('null', 'empty', 'absent'),
	tokenPlacement: oneOf('report', 'data'),
	clockOffsetMinutes: (v) => (Number.isFinite(v) && Math.abs(v) <= 48 * 60) || 'must be a number of minutes within +-2880',
	maxConcurrentRequests: (v) => (Number.isInteger(v) && v >= 0) || 'must be an integer >= 0 (0: no limit)',
	retryAfterSeconds: nonNegative,
	tokenTtlSeconds: nonNegative,
	authErrorCode: (v) => (Number.isInteger(v) && v >= 0) || 'must be an integer >= 0 (0: HTTP 401)',
};

function checkedOptions(vendor, current, changes) {
	const checks = { ...OPTION_CHECKS, ...pluginOf(vendor).optionChecks };
	const next = { ...current };
	for (const [key, value] of Object.entries(changes || {})) {
		if (!(key in DEFAULT_OPTIONS[vendor])) {
			throw new Error(`Unknown ${vendor} option "${key}" (known: ${Object.keys(DEFAULT_OPTIONS[vendor]).join(', ')})`);
		}
		const verdict = checks[key](value);
		if (verdict !== true) throw new Error(`${vendor} option ${key} ${verdict}`);
		next[key] = value;
	}
	return next;
}

function normalizeCreateOptions(options) {
	const keys = perVendor((v) => `sim-${v}-key`);
	for (const [vendor, key] of Object.entries(options.keys || {})) {
		assertVendor(vendor);
		keys[vendor] = key;
	}
	const vendors = perVendor((v) => ({ ...DEFAULT_OPTIONS[v] }));
	for (const [vendor, opts] of Object.entries(options.vendors || {})) {
		assertVendor(vendor);
		vendors[vendor] = checkedOptions(vendor, vendors[vendor], opts);
	}
	if (options.chatbaseTimestampStyle) {
		vendors.chatbase = checkedOptions('chatbase', vendors.chatbase, { timestampStyle: options.chatbaseTimestampStyle });
	}
	const secrets = VENDORS.map(pluginOf).filter((plugin) => plugin.webhook).map((plugin) => [plugin.name, plugin.webhook.secret]);
	const webhookSecrets = { ...Object.fromEntries(secrets), ...options.webhookSecrets };
	return { keys, vendors, webhookSecrets, onRequest: options.onRequest };
}

module.exports = { OPTION_CHECKS, checkedOptions, normalizeCreateOptions };
