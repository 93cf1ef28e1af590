"""The graph model's logic above the stores: building batches from parsed sources, claim identity, papers,
what a deletion orphans, and the read models (catalog, conflicts, neighbourhoods) assembled from store calls."""
