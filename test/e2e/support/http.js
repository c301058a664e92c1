'use strict';

/** JSON over HTTP, and a small client for n8n's REST API (owner setup, login, credential test). */

const http = require('http');

const { credentialRef } = require('./vendors');

// --------------------------------------------------------------------------------- HTTP

/**
 * One HTTP request with a JSON body. Resolves { status, headers, body } (body parsed when JSON).
 * Rejects on a non-2xx status unless allowError.
 */
function httpJson(method, url, { body, headers = {}, allowError = false, timeoutMs = 30000 } = {}) {
	return new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const req = http.request(
			url,
			{
				method,
				timeout: timeoutMs,
				headers: {
					accept: 'application/json',
					...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
					...headers,
				},
			},
			(res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (d) => (text += d));
				res.on('end', () => {
					let parsed = text;
					try {
						parsed = text ? JSON.parse(text) : null;
					} catch {
						/* not JSON */
					}
					const result = { status: res.statusCode, headers: res.headers, body: parsed };
					if (!allowError && (res.statusCode < 200 || res.statusCode >= 300)) {
						reject(Object.assign(new Error(`${method} ${url}: HTTP ${res.statusCode} ${text.slice(0, 500)}`), result));
					} else resolve(result);
				});
			},
		);
		req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out after ${timeoutMs} ms`)));
		req.on('error', reject);
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

/**
 * A logged-in session on n8n's REST API. n8n binds its auth cookie to the `browser-id` header
 * it was issued with, so every request sends the same one.
 */
class N8nRestClient {
	constructor(baseUrl) {
		this.baseUrl = baseUrl.replace(/\/+$/, '');
		this.cookie = '';
		this.browserId = `e2e-${Date.now()}`;
	}

	async request(method, urlPath, body, { allowError = false } = {}) {
		const headers = { 'browser-id': this.browserId };
		if (this.cookie) headers.cookie = this.cookie;
		const res = await httpJson(method, `${this.baseUrl}/rest${urlPath}`, { body, headers, allowError });
		const setCookie = res.headers['set-cookie'];
		if (setCookie) {
			const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
			if (auth) this.cookie = auth;
		}
		return res;
	}

	/** POST /rest/owner/setup: only works while the instance has no owner yet. */
	setupOwner({ email, password, firstName = 'Local', lastName = 'Owner' }) {
		return this.request('POST', '/owner/setup', { email, password, firstName, lastName });
	}

	login(email, password) {
		return this.request('POST', '/login', { emailOrLdapLoginId: email, password });
	}

	/**
	 * POST /rest/credentials/test for a stored credential; `data` (optional) replaces its stored
	 * values for this test only, as the credential dialog does. Resolves n8n's answer
	 * { status: 'OK' | 'Error', message }.
	 */
	async testCredential({ id, name, type, data }) {
		const res = await this.request('POST', '/credentials/test', { credentials: { id, name, type, data } });
		return res.body && res.body.data !== undefined ? res.body.data : res.body;
	}

	/**
	 * What a node's "From List" picker shows: n8n's POST /rest/dynamic-node-parameters/
	 * resource-locator-results, as the editor calls it. `vendor` picks the simulator credential the
	 * node uses. Resolves { status, body } (body.data.results on success).
	 */
	listSearch({ nodeType, parameter, methodName, parameters, vendor, filter }) {
		return this.request(
			'POST',
			'/dynamic-node-parameters/resource-locator-results',
			{
				nodeTypeAndVersion: { name: nodeType, version: 1 },
				path: `parameters.${parameter}`,
				methodName,
				currentNodeParameters: parameters,
				credentials: credentialRef(vendor),
				...(filter ? { filter } : {}),
			},
			{ allowError: true },
		);
	}
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { httpJson, N8nRestClient, sleep };
