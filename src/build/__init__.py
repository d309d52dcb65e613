"""Publishing pipeline for the SCO article: one module per pipeline stage."""
