"""Use cases as the platform's customers: onboarding edits of the stack file, chargeback, and sample
specs with many use cases (scale tests and benchmarks)."""
