"""Demo data: a year of realistic reports and police responses for `make run` and the benchmarks."""
