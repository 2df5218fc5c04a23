"""The foundation every layer stands on: errors, digests, slugs, URLs and paths, YAML, the config."""
