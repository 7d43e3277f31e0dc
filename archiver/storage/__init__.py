"""WARC files in S3-compatible object storage: uploaded and verified, read back by the toolkit."""
