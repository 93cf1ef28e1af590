"""Reviews: a person's label for a claim, kept apart from the reports' marks and the verifier's verdict.

Pure functions: what a review node becomes when a person decides (:mod:`kg.review.records`), and which
claims are worth a reviewer's hour first (:mod:`kg.review.queue`). The service does the I/O.
"""
