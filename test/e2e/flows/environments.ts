import { t } from '../../../src/i18n';
import { SEED } from '../../../src/sandbox/seed';
import type { Flow } from './types';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Choosing the environments from the tenant's lists in the personal chat: "set up" shows Business
 * Central's environments and companies and the Power Platform environments with Dataverse, the
 * linked pair preselected with its reason; "Type the values instead" and "Choose from the lists"
 * go back and forth; Continue reaches Part 1 without typing an id; "Change environment" comes
 * back to the lists with the conversation's choice. It leaves the conversation on the environment
 * step, where Part 1's flow starts.
 */
export const environments: Flow = {
  name: 'Choosing the environments from the lists',
  async run({ playground: p, note }) {
    const linked = new RegExp(`links the environment ${escape(SEED.businessCentral.environment)} to the Power Platform environment ${escape(SEED.environment.name)}`);
    await p.expectNew(linked, () => p.say('set up'));
    await p.expectNew(t('en', 'envDataverseUrl'), () => p.click(t('en', 'envPickTyped')));
    await p.expectNew(linked, () => p.click(t('en', 'envPickLists')));
    await p.expectNew(t('en', 'adminTitle'), () => p.click(t('en', 'envSave')));
    await p.expectNew('what this conversation chose before', () => p.click(t('en', 'adminChangeEnvironment')));
    note(`preselected ${SEED.businessCentral.environment} · ${SEED.businessCentral.companyName} with ${SEED.environment.name}; typed values and back; Part 1 reached`);
  },
};
