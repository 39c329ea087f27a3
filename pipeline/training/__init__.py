"""Training: the converters from the shared annotated corpora, the recipes' runners and the
evaluations of the models shipped in `models/`."""
