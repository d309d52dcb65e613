"""Publishing pipeline for scholarly journal articles: one module per pipeline stage."""
