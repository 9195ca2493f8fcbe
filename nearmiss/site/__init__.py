"""The site: the learning log's pages, charts, text escaping, HTML sanitising, git dates
and stylesheet, for any static-site generator. Only ``pages`` and ``sanitize`` need the
``site`` extra (nh3); importing this package alone must not, since digests use ``markup``."""
