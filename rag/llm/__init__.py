"""Language-model answers: backends, prompt packing, generation with fallback, and citation verification."""
