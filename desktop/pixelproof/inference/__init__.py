"""Pre-labeling backends: pixels in, predictions out. Never imports Qt."""
