"""The core: the thin model, its builder, the exchange ledger, the firm register, events, collector."""
