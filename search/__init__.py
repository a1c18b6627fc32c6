"""Sen's search layer: the index backends and, later, the queries of the public site,
the admin listings and the API (one layer whatever the backend)."""
