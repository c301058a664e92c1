import type { NormalizedLead } from '../nodes/shared/lead/types';
import { collectLeads } from '../nodes/shared/fetch/leads';

import { FIXTURES } from './fixtures';
import { runLeads, useSimulator } from './helpers';

// The collector is replaced so that a run can hand over more leads than any simulator run here
// could fetch in reasonable time; everything after it (items, pairedItem, n8n's engine) is real.
jest.mock('../nodes/shared/fetch/leads', () => ({
	...jest.requireActual<object>('../nodes/shared/fetch/leads'),
	collectLeads: jest.fn(),
}));

const sim = useSimulator();

function fakeLeads(count: number, prefix: string): NormalizedLead[] {
	return Array.from({ length: count }, (_, i) => ({
		id: `${prefix}_${i}`,
		provider: 'chatbase',
		chatbotId: 'bot',
		name: null,
		email: `${prefix}.${i}@example.com`,
		phone: null,
		createdAt: '2026-01-01T00:00:00.000Z',
		conversationId: null,
		fields: {},
	}));
}

test('Return All outputs 150,000 leads (more than one call can take as arguments), in order', async () => {
	const leads = fakeLeads(150_000, 'lead');
	jest.mocked(collectLeads).mockResolvedValueOnce(leads);

	const items = await runLeads(sim, FIXTURES[0], { returnAll: true });

	expect(items).toHaveLength(150_000);
	expect(items[0].json.id).toBe('lead_0');
	expect(items[149_999].json.id).toBe('lead_149999');
	expect(items[149_999].pairedItem).toEqual({ item: 0 });
});

test('leads of several input items stay together, each paired with its own input item', async () => {
	jest.mocked(collectLeads).mockResolvedValueOnce(fakeLeads(130_000, 'a')).mockResolvedValueOnce(fakeLeads(3, 'b'));

	const items = await runLeads(sim, FIXTURES[0], { returnAll: true }, { inputItems: [{ json: {} }, { json: {} }] });

	expect(items).toHaveLength(130_003);
	expect(items[129_999]).toMatchObject({ json: { id: 'a_129999' }, pairedItem: { item: 0 } });
	expect(items[130_000]).toMatchObject({ json: { id: 'b_0' }, pairedItem: { item: 1 } });
});
