"""From text to graph facts: the gazetteer of benchmarks, models and languages, entity and numeric-result
extraction, sentence splitting for evidence, and the text helpers they share. Pure functions."""
