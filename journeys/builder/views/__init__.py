"""The builder's function views, one module per page (journey list, canvas, ...)."""
