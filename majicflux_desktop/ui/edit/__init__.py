"""Editing a picture: the edit panel (source, mode, options, sizes) and the mask painter.

edit_panel.py    EditPanel: what the prompt panel holds; `edit(sources)` gives the request's Edit
edit_options.py  the mode buttons and each mode's controls; strength follows the mode's default
edit_draft.py    an edit before its pictures are stored: sizes (core.edit_sizes) and problems
source_box.py    the source's thumbnail (a drop target), name, size, Open… / Paste / Remove
source_loader.py reading sources and reused edits off the UI thread
picture_files.py files, clipboard and in-memory pictures, held to read_picture's limits
mask_row.py      "Paint mask…", the mask's preview and coverage
mask_dialog.py   MaskDialog: the painter with its tools; OK only with a mask
mask_painter.py  MaskPainter: the canvas (brush, eraser, zoom, pan, feather and crop preview)
mask_document.py the mask at the source's resolution and its undo history (a stroke = a step)
mask_image.py    masks and pictures between Qt and PIL, read as engine.masks reads them
"""
