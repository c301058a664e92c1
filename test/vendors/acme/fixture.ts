import type { VendorFixture } from '../../fixtures/types';
import { AcmeApi } from './AcmeApi.credentials';

export const acmeFixture: VendorFixture = {
	vendor: 'acme',
	displayName: 'Acme Bots',
	credentialType: 'acmeApi',
	credential: new AcmeApi(),
	chatbotId: 'bot-acme-1',
	parameters: { provider: 'acme', chatbotId: { __rl: true, mode: 'id', value: 'bot-acme-1' } },
	dateParams: ['from', 'to'],
	pageSize: 50,
	capOption: (cap) => ({ maxPageSize: cap }),
	idField: 'contact_id',
	timeField: 'captured_at',
	errorBody: (message) => ({ ok: false, error: { message } }),
	idOf: (record) => String((record as { contact_id: string }).contact_id),
};
