"""The versioned JSON API (/api/v1/): the public records of `feed.models.FeedRecord`,
listed with filters and exact incremental sync, and one by one with every language.

Views stay thin (`views`); what may be listed and how a page is cut is in `query`,
the cursor in `cursors`, keys and rate limits in `access`, the contract in
`openapi` (a hand-written, versioned document: see its docstring)."""
