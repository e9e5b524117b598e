"""Getting data in: reading court files, recognising tables and headers, validating and importing them."""
