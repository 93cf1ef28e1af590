"""Paraphrase search: embeddings (offline loading, bf16 where native), the HNSW candidate index, the pair gates,
encode-ahead in a second process, and the incremental pass that writes ``PARAPHRASE_OF`` links."""
