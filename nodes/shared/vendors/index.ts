import type { LeadProvider } from './types';
import { chatbase } from './chatbase';
import { chatofAi } from './chatofAi';
import { chatzuri } from './chatzuri';
import { robofy } from './robofy';

/** Every supported vendor. A new vendor is one adapter file plus one line here. */
export const PROVIDERS: LeadProvider[] = [chatbase, chatzuri, chatofAi, robofy];

/** The vendors that push leads to a webhook: the Instant Trigger's choices. */
export const WEBHOOK_PROVIDERS: LeadProvider[] = PROVIDERS.filter((provider) => provider.webhook !== undefined);

export function providerByName(name: string): LeadProvider | undefined {
	return PROVIDERS.find((provider) => provider.name === name);
}
