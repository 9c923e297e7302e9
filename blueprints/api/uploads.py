"""Multipart uploads in the API: one schema documents a body's form fields and its files."""

from __future__ import annotations

from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict


class UploadParser(FlaskParser):
    """Reads a multipart body whole: its form fields with its files, so one schema documents it.

    Set as a blueprint's ``ARGUMENTS_PARSER``; its ``location="files"`` arguments then see both.
    """

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)
