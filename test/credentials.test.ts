import { useSimulator } from './helpers';
import { ALL_CREDENTIALS, FIXTURES, type VendorFixture } from './fixtures';
import { testCredential } from './harness/n8n';

const sim = useSimulator();

const run = (fixture: VendorFixture, apiKey: string, baseUrl = sim.baseUrls[fixture.vendor]) =>
	testCredential({ credentialTypes: ALL_CREDENTIALS, credentialType: fixture.credentialType, data: { apiKey, baseUrl } });

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))('%s credential', (_name, fixture) => {
	test('goes green with a good key', async () => {
		expect(await run(fixture, sim.keys[fixture.vendor])).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim.requests).toHaveLength(1);
	});

	test('says the key was rejected, and where to get one, for a bad key', async () => {
		const result = await run(fixture, 'not-the-key');
		expect(result.status).toBe('Error');
		expect(result.message).toBe(
			`${fixture.displayName} rejected this API key. Copy it again from your ${fixture.displayName} dashboard, and check it is a ${fixture.displayName} key.`,
		);
		expect(result.message).not.toContain('not-the-key');
	});

	test('says the Base URL is wrong when nothing there is the vendor API', async () => {
		const result = await run(fixture, sim.keys[fixture.vendor], `${sim.url}/nowhere`);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/No .+ API answered at this Base URL/);
	});

	test('has the vendor production base URL as default, and a documentation link', () => {
		const baseUrl = fixture.credential.properties.find((property) => property.name === 'baseUrl');
		expect(String(baseUrl?.default)).toMatch(/^https:\/\//);
		expect(fixture.credential.documentationUrl).toMatch(/^https:\/\//);
		const apiKey = fixture.credential.properties.find((property) => property.name === 'apiKey');
		expect(apiKey?.typeOptions?.password).toBe(true);
	});
});

describe('Chatof.ai credential: failures reported as HTTP 200 with a code', () => {
	const chatofAi = FIXTURES.find((fixture) => fixture.vendor === 'chatofAi')!;

	test.each([401, 403])('a wrong key answered 200 { code: %i } fails the test', async (code) => {
		sim.setOptions('chatofAi', { authErrorCode: code });
		const result = await run(chatofAi, 'not-the-key');
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(code === 401 ? /^Chatof\.ai rejected this API key/ : /^Chatof\.ai accepted the key but refused access/);
	});

	test('a good key still passes: the bot that cannot exist is "bot not found", not an auth failure', async () => {
		sim.setOptions('chatofAi', { authErrorCode: 401 });
		expect(await run(chatofAi, sim.keys.chatofAi)).toEqual({ status: 'OK', message: 'Connection successful!' });
	});
});
