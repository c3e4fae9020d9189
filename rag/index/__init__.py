"""The index: vectors in Chroma (store), BM25 keywords (lexical), and the embedding model that fills both."""
