"""Publishing pipeline for scholarly articles: one module per pipeline stage."""
