"""The native result document every output renders, and the diff of two results."""
