"""What people see at the console: one-line errors, the crawl's progress and its summary."""
