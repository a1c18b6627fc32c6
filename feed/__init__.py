"""Everything that leaves Sen for other systems (issue 8): OAI-PMH, the JSON API,
webhooks, BagIt bags and IIIF manifests, all built from one record per public asset
(`feed.records.public_record`, kept in `feed.models.FeedRecord`)."""
