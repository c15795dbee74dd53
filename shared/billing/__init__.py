"""Plans and billing through Stripe: checkout, the billing portal, and the webhook that
keeps the profile's `plan`, the `plan` claim and the subscription state in step
(docs/platform.md "Plans and billing")."""
