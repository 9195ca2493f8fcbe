"""The log: every record of a learning log together. Discovery and checking of the tree
(with a content-hash cache), the figures computed from the valid records, and what is
made of them: terminal tables, digests, exports and problem reports."""
