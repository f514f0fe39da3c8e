"""Load benchmarks: a generated dataset (`bench.dataset`) and a wrk runner (`bench.run`)."""
