"""Fonts: the derived, pre-rotated faces that hold exactly the characters the pages use."""
