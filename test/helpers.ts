import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ChatbotLeads } from '../nodes/ChatbotLeads/ChatbotLeads.node';
import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { ALL_CREDENTIALS, type VendorFixture } from './fixtures';
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';

import { bootstrapN8nCore, createDurablePollSession, executeNode, pollNode, type DurablePollSession } from './harness/n8n';
import { isLeadRequest, startSimulator, type GenerateOptions, type Simulator } from './simulator';

/** Retries that do not slow the suite down. */
export const FAST_RETRIES = { retryDelayMs: 1, maxRetries: 2, timeoutSeconds: 5 };

export function credentialsFor(sim: Simulator, fixture: VendorFixture, apiKey?: string, baseUrl?: string) {
	return {
		[fixture.credentialType]: {
			apiKey: apiKey ?? sim.keys[fixture.vendor],
			baseUrl: baseUrl ?? sim.baseUrls[fixture.vendor],
		},
	};
}

export function generate(sim: Simulator, fixture: VendorFixture, count: number, opts: GenerateOptions = {}) {
	return sim.generateLeads(fixture.vendor, fixture.chatbotId, count, { projectId: fixture.projectId, ...opts });
}

export interface RunLeadsOptions {
	apiKey?: string;
	baseUrl?: string;
	continueOnFail?: boolean;
	inputItems?: INodeExecutionData[];
	/** The workflow's Timezone setting; default UTC, so typed dates are UTC days unless a test says. */
	timezone?: string;
}

/** Runs the Chatbot Leads node through n8n's engine; returns its output items. */
export async function runLeads(
	sim: Simulator,
	fixture: VendorFixture,
	parameters: INodeParameters,
	options: RunLeadsOptions = {},
): Promise<INodeExecutionData[]> {
	const params = parameters as IDataObject;
	const output = await executeNode({
		nodeType: new ChatbotLeads(),
		credentialTypes: ALL_CREDENTIALS,
		parameters: {
			...fixture.parameters,
			...parameters,
			options: { ...FAST_RETRIES, ...((params.options as IDataObject) ?? {}) },
		},
		credentials: credentialsFor(sim, fixture, options.apiKey, options.baseUrl),
		continueOnFail: options.continueOnFail,
		inputItems: options.inputItems,
		timezone: options.timezone ?? 'UTC',
	});
	return output[0] ?? [];
}

/** The node's error for a run that must fail. */
export async function runLeadsError(sim: Simulator, fixture: VendorFixture, parameters: INodeParameters, apiKey?: string) {
	try {
		await runLeads(sim, fixture, parameters, { apiKey });
	} catch (error) {
		return error as Error & { description?: string; httpCode?: string; constructor: { name: string } };
	}
	throw new Error('expected the node to fail');
}

export function leadRequests(sim: Simulator, fixture: VendorFixture) {
	return sim.requests.filter((request) => request.vendor === fixture.vendor && isLeadRequest(request.vendor, request.path));
}

export interface TriggerRun {
	items: INodeExecutionData[];
	staticData: IDataObject;
	changed: boolean;
}

/** One poll of the trigger through n8n-core's PollContext, from persisted static data. */
export async function pollTrigger(
	sim: Simulator,
	fixture: VendorFixture,
	staticData: IDataObject,
	parameters: INodeParameters = {},
	mode: 'trigger' | 'manual' = 'trigger',
): Promise<TriggerRun> {
	const params = parameters as IDataObject;
	const result = await pollNode({
		nodeType: new ChatbotLeadsTrigger(),
		credentialTypes: ALL_CREDENTIALS,
		parameters: {
			...fixture.parameters,
			...parameters,
			options: { ...FAST_RETRIES, ...((params.options as IDataObject) ?? {}) },
		},
		credentials: credentialsFor(sim, fixture),
		staticData,
		mode,
	});
	return { items: result.items?.[0] ?? [], staticData: result.staticData, changed: result.staticDataChanged };
}

/** A trigger under n8n's durable scheduler with durable cursors (see createDurablePollSession). */
export function durableTrigger(sim: Simulator, fixture: VendorFixture, parameters: INodeParameters = {}, pollBudgetMs?: number): DurablePollSession {
	const params = parameters as IDataObject;
	return createDurablePollSession({
		nodeType: new ChatbotLeadsTrigger(),
		credentialTypes: ALL_CREDENTIALS,
		parameters: { ...fixture.parameters, ...parameters, options: { ...FAST_RETRIES, ...((params.options as IDataObject) ?? {}) } },
		credentials: credentialsFor(sim, fixture),
		pollBudgetMs,
	});
}

/**
 * The n8n host's clock as the code under test sees it (`Date.now()`), moved forward on demand:
 * rechecks and other host-time schedules run without waiting. Lead times in tests come from it too.
 */
export function useHostClock() {
	let offset = 0;
	const realNow = Date.now.bind(Date);
	beforeEach(() => {
		offset = 0;
		jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
	});
	afterEach(() => jest.restoreAllMocks());
	return {
		advance(ms: number) {
			offset += ms;
		},
	};
}

/** Collects what nodes log with ctx.logger.warn (n8n's own Logger) during a test. */
export function captureWarnings(): string[] {
	const warnings: string[] = [];
	bootstrapN8nCore();
	jest.spyOn(Container.get(Logger), 'warn').mockImplementation((message: string) => {
		warnings.push(message);
	});
	return warnings;
}

export function leadIds(items: INodeExecutionData[]): string[] {
	return items.map((item) => String(item.json.id));
}

/**
 * A simulator for the whole test file, reset before each test. The returned object forwards to
 * the running simulator, so tests use it like one.
 */
export function useSimulator(): Simulator {
	let running: Simulator | undefined;
	beforeAll(async () => {
		running = await startSimulator();
	});
	afterAll(async () => {
		await running?.stop();
	});
	beforeEach(() => running?.reset());
	return new Proxy({} as Simulator, {
		get(_target, property) {
			if (!running) throw new Error('the simulator is not running yet (use it inside a test)');
			const value = Reflect.get(running, property) as unknown;
			return typeof value === 'function' ? value.bind(running) : value;
		},
	});
}
