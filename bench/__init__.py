"""Benchmarks of the SMART gateway (run as ``python -m bench.submit_throughput``)."""
