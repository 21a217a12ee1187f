"""Demo data: a fictional coffee brand, its two competitors, people and texts in
en, pl, ru, nl and de. Idempotent: loading twice changes nothing."""
