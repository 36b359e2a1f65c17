/** The webhook events the target app handles (target-app.md): the endpoint must subscribe to them. */
export const HANDLED_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.updated',
  'invoice.payment_failed',
  'invoice.payment_succeeded',
  'price.created',
  'price.updated',
  'product.created',
  'product.updated',
] as const;
