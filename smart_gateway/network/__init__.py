"""The declarative network file (companies, credentials, agreements) and its loader."""
