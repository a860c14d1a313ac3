"""One module per screen. ``pickterm.app.PickTermApp`` opens them by name (see ``open_*``)."""
