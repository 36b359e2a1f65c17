/** config.stripe-secret-key: STRIPE_SECRET_KEY is a live secret (or restricted) key. */
import { defineRule } from '../index.js';
import { maskValue } from '../../redact.js';
import { notApplicable, variable } from '../app.js';

const DASHBOARD = 'https://dashboard.stripe.com/apikeys';

export const stripeSecretKey = defineRule({
  id: 'config.stripe-secret-key',
  async check({ settings }) {
    const role = variable(settings, 'stripeSecretKey');
    if (!role) return notApplicable('Stripe integration', 'no stripe dependency and no Stripe key variable');
    const name = role.name;
    const key = role.value;
    const fix = `Set ${name} to the live secret key (sk_live_…) or a live restricted key (rk_live_…) from ${DASHBOARD}.`;
    if (!key) return { status: 'fail', summary: `${name} is not set: billing cannot work`, fix };
    const shown = maskValue(key);
    if (/^(sk|rk)_live_/.test(key)) {
      return { status: 'pass', summary: `${name} is a live ${key.startsWith('rk_') ? 'restricted ' : ''}key (${shown})` };
    }
    if (/^(sk|rk)_test_/.test(key)) {
      return { status: 'fail', summary: `${name} is a test-mode key (${shown}): no real payment would be taken`, fix };
    }
    if (/^pk_/.test(key)) {
      return { status: 'fail', summary: `${name} holds a publishable key (${shown}), which cannot call the API`, fix };
    }
    return { status: 'fail', summary: `${name} is not a Stripe secret key (${shown})`, fix };
  },
});
