"""The canvas: a QGraphicsView over one image (scene units = image pixels) and its annotation items."""
