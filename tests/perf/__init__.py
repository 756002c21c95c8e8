"""The scale benchmark: a digest generator and the benchmark harness."""
