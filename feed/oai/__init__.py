"""OAI-PMH 2.0 at /oai/: the six verbs over `FeedRecord`, in `oai_dc` and `sen`.

protocol.py checks requests and names errors; tokens.py signs resumption tokens;
harvest.py selects records (public ones with metadata, gone ones as tombstones);
formats.py writes the two formats; responses.py streams the answers; views.py is
the endpoint. README, "Export feed → OAI-PMH".
"""
