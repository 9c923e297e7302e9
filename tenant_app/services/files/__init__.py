"""Files in and out: safe spreadsheets, imports, exports, the PDF forms, province exports."""
