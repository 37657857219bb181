"""The search engine of the knowledge base (Tantivy), read top to bottom:

- `analysis`: how text becomes terms (stemming, accents, hyphens, Dutch compounds);
- `indexing`: the index's fields and an article's document;
- `store`: the index on disk, its full build and how it catches up with PostgreSQL;
- `reader`: this process's reader, kept current;
- `query`: from typed words to a Tantivy query (prefixes, typos, both languages);
- `ranking`: a page of results, checked against PostgreSQL, stale and language weighting;
- `highlight`: the marked passage shown under each result.
"""
