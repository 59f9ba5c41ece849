"""The outcomes use cases, one module each: losses, compensation (orders, payments and
apportionment), confiscation, ancillary orders, finalised outcomes and the performance review.
Rules and audit here; no HTTP."""
