import { PROVIDERS, WEBHOOK_PROVIDERS } from '../vendors';
import type { LeadProvider } from '../vendors/types';

// Every vendor list a user reads in the nodes is written here, from the adapters: a new adapter
// shows up in each of them without touching any other file.

/** "A, B, C or D" (`and` for "and"). */
function listOf(words: string[], last = 'or'): string {
	return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;
}

export function vendorNames(providers: LeadProvider[], last = 'or'): string {
	return listOf(providers.map((provider) => provider.displayName), last);
}

/** "Chatbase, Chatzuri, Chatof.ai or Robofy": every vendor. */
export const VENDOR_NAMES = vendorNames(PROVIDERS);
/** The vendors with lead webhooks, for the Instant Trigger. */
export const WEBHOOK_VENDOR_NAMES = vendorNames(WEBHOOK_PROVIDERS);

/** The word for one chatbot's ID at a vendor: "chatbot ID", "agent ID", "bot UID". */
function idWord(provider: LeadProvider): string {
	return /\b(U?ID)$/.test(provider.chatbotLabel) ? provider.chatbotLabel : `${provider.chatbotLabel} ID`;
}

/** Where the chatbot's ID lives inside a locating parameter (Robofy: "of the project above"). */
function whereItLives(provider: LeadProvider): string {
	const locator = provider.properties?.[0];
	return locator ? ` of the ${locator.displayName.toLowerCase()} above` : '';
}

/** "the Chatbase chatbot ID, …, or Robofy chatbot ID" */
export const ONE_ID_PER_VENDOR = listOf(PROVIDERS.map((provider) => `${provider.displayName} ${idWord(provider)}`), 'or');

/** "Chatbase chatbot IDs, …, or Robofy chatbot IDs of the project above" */
export const IDS_PER_VENDOR = listOf(PROVIDERS.map((provider) => `${provider.displayName} ${idWord(provider)}s${whereItLives(provider)}`), 'or');

/** "(Robofy: every chatbot of every project)", for vendors whose chatbots sit inside another parameter. */
export const ALL_CHATBOTS_NOTE = (() => {
	const nested = PROVIDERS.filter((provider) => provider.allChatbots && provider.properties?.length);
	const notes = nested.map((p) => `${p.displayName}: every ${p.chatbotLabel} of every ${p.properties![0].displayName.toLowerCase()}`);
	return notes.length > 0 ? ` (${notes.join('; ')})` : '';
})();

/** Vendors that report how many leads there are, so pages can be read ahead. */
export const COUNTING_VENDORS = vendorNames(PROVIDERS.filter((provider) => provider.paging === 'pageWithTotal'));

export const ZONELESS_VENDORS = PROVIDERS.filter((provider) => provider.zonelessTimestamps);

/** How Include Conversation finds the conversation at each of `providers`, in their words. */
export function conversationRules(providers: LeadProvider[]): string {
	const byDay = providers.filter((provider) => provider.conversations.byDay);
	const byId = providers.filter((provider) => provider.conversations.byId);
	return [
		...(byDay.length > 0 ? [`${vendorNames(byDay, 'and')}: by conversation ID, else by the lead's email among its chatbot's conversations of that day.`] : []),
		...(byId.length > 0 ? [`${vendorNames(byId, 'and')}: the conversation the lead names (one request per lead).`] : []),
		...providers.flatMap((provider) => provider.conversations.unavailable ?? []),
	].join(' ');
}

/** Vendors that send no lead webhook, for the Instant Trigger's notice. */
export const NO_WEBHOOK_VENDORS = PROVIDERS.filter((provider) => !provider.webhook);

/** "(Chatzuri: agent)", for webhook vendors that call a chatbot something else. */
export const WEBHOOK_CHATBOT_WORDS = (() => {
	const other = WEBHOOK_PROVIDERS.filter((provider) => provider.chatbotLabel !== 'chatbot');
	return other.length > 0 ? ` (${other.map((provider) => `${provider.displayName}: ${provider.chatbotLabel}`).join('; ')})` : '';
})();
